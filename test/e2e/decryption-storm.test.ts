import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { sleep, until } from '../../simulator/waits.js';

const STORM = 5000;
const SENDERS = 20;
/** The node flags of `npm start` (run.sh), so memory is measured as in the image. */
const START_FLAGS = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(' ')
  .slice(1, -1);
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
/** Issue 23's aim for the RSS after a storm, over rest: the test waits for it, at most SETTLE_MS. */
const AIM = 20 * 2 ** 20;
const SETTLE_MS = 60_000;
/**
 * The peak over rest. Read pacing (whatsapp/read-pacing.ts) keeps at most about 100 stanzas
 * waiting and --optimize-for-size keeps V8's old generation small: about +30 MB here. Without
 * pacing the storm was read at once (+200 MB with these flags, +130-240 MB for the built app).
 */
const PEAK_BOUND = 80 * 2 ** 20;

/**
 * A decryption storm, as after the LID migration ("Bad MAC" / "No session" by the thousand:
 * Baileys #2234 counted 168,000 in two hours and ran out of heap, #2331): 5,000 messages from 20
 * senders that already have a session arrive as garbage ciphertext. Each is asked for again with a
 * retry receipt, the sender's phone sends it again, and that copy decrypts and is forwarded once.
 * The log gets one line per sender per minute, the daemon reads the storm at the pace it handles it,
 * and its memory returns to rest.
 */
test('a storm of 5,000 undecryptable messages: one retry receipt each, forwarded once, a line per sender, RSS back at rest', async (t) => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const bridge = await BridgeProcess.start({ options: webhookOptions(receiver.url), waUrl: sim.url, nodeArgs: START_FLAGS });
  try {
    const stream = await StatusStream.open(bridge.ingressUrl);
    await sim.pairWithQr((await stream.waitFor((s) => s.state === 'qr', 30_000)).qr!);
    await stream.waitForState('connected', 30_000);
    stream.close();
    const senders = Array.from({ length: SENDERS }, (_, i) => sim.contact({ phone: `4917610000${String(i).padStart(3, '0')}`, pushName: `Sender ${i}` }));
    // Bad MAC needs a session: each sender's first message decrypts
    const hello = await sim.sendMany(SENDERS, (i) => ({ from: senders[i]!, text: 'hello' }));
    await receiver.waitFor(() => hello.every((id) => receiver.accepted.some((p) => p.id === id)), 20_000, 'the first messages');
    await sleep(5000);
    const rest = bridge.rss();
    const linesBefore = bridge.lines.length;
    let peak = rest;
    const sampler = setInterval(() => (peak = Math.max(peak, bridge.rss())), 100);
    const started = performance.now();
    const ids = await sim.sendMany(STORM, (i) => ({ from: senders[i % SENDERS]!, text: `storm ${i}`, opts: { undecryptable: 'once' } }));
    const wanted = new Set(ids);
    // counted as they come (a scan of every request per request took seconds of this busy process)
    const forwarded = new Set<string>();
    let scanned = 0;
    await receiver.waitFor(
      () => {
        for (; scanned < receiver.requests.length; scanned++) {
          const id = receiver.requests[scanned]!.json?.id;
          if (wanted.has(id)) forwarded.add(id);
        }
        return forwarded.size >= STORM;
      },
      240_000,
      'every resent message',
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    // V8's memory reducer returns what a burst left once allocation stops (docs/performance.md)
    const settling = performance.now();
    const settled = await until('RSS within 20 MB of rest', () => (bridge.rss() - rest <= AIM ? bridge.rss() : undefined), SETTLE_MS).catch(() => bridge.rss());
    const settleSeconds = (performance.now() - settling) / 1000;
    const stormLines = bridge.lines.slice(linesBefore);
    const minutes = Math.ceil((seconds + settleSeconds) / 60);

    const retryReceipts = sim.recorded.receipts.filter((r) => r.type === 'retry' && r.ids.some((id) => wanted.has(id)));
    t.diagnostic(
      `storm of ${STORM} from ${SENDERS} senders: all forwarded in ${seconds.toFixed(1)} s; RSS at rest ${mb(rest)} MB, peak ${mb(peak)} MB, ${mb(settled)} MB ${settleSeconds.toFixed(1)} s after (${mb(settled - rest)} MB over); ${stormLines.length} log lines`,
    );
    assert.equal(new Set(retryReceipts.flatMap((r) => r.ids)).size, STORM, 'a retry receipt for every undecryptable message');
    assert.equal(sim.recorded.retries.filter((r) => r.refused).length, 0, 'the phones answered every retry');
    const counts = new Map<string, number>();
    for (const p of receiver.accepted) if (wanted.has(p.id)) counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
    assert.equal(counts.size, STORM, 'every message forwarded');
    // Accepted once by the bridge. A webhook attempt that timed out in this busy test process (the
    // receiver shares it with the simulator) is tried again, the only way to a second copy; the
    // first failed attempt of every message is logged with its id.
    const failedAttempts = stormLines.filter((l) => /The webhook at .* failed/.test(l));
    const retried = new Set(failedAttempts.map((l) => /message (\S+) stays queued/.exec(l)?.[1]));
    const copies = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(
      copies.filter((id) => !retried.has(id)),
      [],
      `a second copy only after a failed webhook attempt (${copies.length} such)`,
    );
    const failureLines = stormLines.filter((l) => /could not be decrypted|Could not decrypt/.test(l));
    assert.ok(
      failureLines.length >= 1 && failureLines.length <= SENDERS * (minutes + 1),
      `decryption failures logged per sender and minute: ${failureLines.length}`,
    );
    assert.ok(!stormLines.some((l) => /Session error|SessionEntry|privKey|Failed to decrypt message with any known session/.test(l)), 'no libsignal output');
    assert.ok(stormLines.length <= SENDERS * (minutes + 2) + failedAttempts.length, `the log stays short: ${stormLines.length} lines`);
    // It held +29 to +45 MB while the expiry timers of Baileys' recent-message cache, made inside the
    // key-store transaction, kept a copy of each sender's session (40 closed ones) for 5 minutes,
    // and up to +100 MB while the 1,000 messages kept for quoting did the same through their
    // `durable` promise (patches/, state/wal-sync.ts, docs/performance.md); +15 to +27 MB of
    // malloc's heap stayed after the whole storm was read at once, before read pacing.
    assert.ok(peak - rest <= PEAK_BOUND, `RSS at most ${mb(PEAK_BOUND)} MB over rest during the storm: ${mb(rest)} -> ${mb(peak)} MB`);
    assert.ok(settled - rest <= AIM, `RSS back within ${mb(AIM)} MB of rest in ${SETTLE_MS / 1000} s: ${mb(rest)} -> ${mb(settled)} MB`);
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});
