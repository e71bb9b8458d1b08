import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator, type Contact } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import { pairedDaemon, startDaemon } from '../support/paired-bridge.js';

const DEBUG = { log_level: 'debug' };
const PAUSED = /Reading from WhatsApp paused: \d+ received stanzas wait to be handled\./;
const READING_AGAIN = /Reading from WhatsApp again: nothing was handled for \d+ ms/;

/** The ids of `wanted` the receiver accepted, each with its number of copies, counted as they come. */
function copiesCounter(receiver: TestReceiver, wanted: ReadonlySet<string>) {
  const copies = new Map<string, number>();
  let scanned = 0;
  return () => {
    for (; scanned < receiver.requests.length; scanned++) {
      const id = receiver.requests[scanned]!.json?.id;
      if (wanted.has(id)) copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    return copies;
  };
}

/** Each chat's messages reached the webhook in the order they were sent. */
function assertOrderPerChat(receiver: TestReceiver, ids: readonly string[], senderOf: (i: number) => Contact, contacts: readonly Contact[]) {
  const arrived = [...new Set(receiver.accepted.map((p) => p.id))];
  for (const contact of contacts) {
    const sent = ids.filter((_, i) => senderOf(i) === contact);
    const chat = new Set(sent);
    assert.deepEqual(
      arrived.filter((id) => chat.has(id)),
      sent,
      `${contact.phone}'s messages in the order sent`,
    );
  }
}

async function waitForEmptyOutbox(bridge: BridgeProcess): Promise<void> {
  const stream = await StatusStream.open(bridge.ingressUrl);
  try {
    await stream.waitFor((s) => s.webhook!.counters.queued === 0, 30_000, 'an empty outbox');
  } finally {
    stream.close();
  }
}

const BURST = 2000;

/**
 * A live burst, as a busy group or a decryption storm brings it (real-traffic.md; Baileys #2234):
 * the bridge stops reading WhatsApp's socket while 100 received stanzas wait in Baileys' queue and
 * reads on at 25, so the burst waits in the network. Nothing may be lost, doubled or reordered.
 */
test('a live burst of 2,000 messages from 4 contacts: reading pauses, each is forwarded once, in order per chat', async (t) => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const bridge = await pairedDaemon({ sim, receiver, options: DEBUG });
  try {
    await sim.waitForOnline(30_000);
    const contacts = Array.from({ length: 4 }, (_, i) => sim.contact({ phone: `491762000000${i}`, pushName: `Burst ${i}` }));
    const senderOf = (i: number) => contacts[i % contacts.length]!;
    const linesBefore = bridge.lines.length;
    const started = performance.now();
    const ids = await sim.sendMany(BURST, (i) => ({ from: senderOf(i), text: `burst ${i}` }));
    const copies = copiesCounter(receiver, new Set(ids));
    await receiver.waitFor(() => copies().size === BURST, 180_000, 'every message of the burst');
    const seconds = (performance.now() - started) / 1000;
    await waitForEmptyOutbox(bridge);
    const lines = bridge.lines.slice(linesBefore);
    const pauses = lines.filter((l) => PAUSED.test(l));
    const stalls = lines.filter((l) => READING_AGAIN.test(l)).length;
    t.diagnostic(
      `${BURST} messages forwarded in ${seconds.toFixed(1)} s; reading paused ${pauses.length} times (${stalls} ended by the stall rule); ${lines.length} log lines`,
    );

    assert.deepEqual(
      [...copies()].filter(([, n]) => n !== 1),
      [],
      'every message reached the webhook exactly once',
    );
    assertOrderPerChat(receiver, ids, senderOf, contacts);
    assert.ok(pauses.length >= 1, 'the daemon paused reading at least once');
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});

const BACKLOG = 400;
/** How late the simulated server answers the prekey upload. */
const ANSWER_DELAY_MS = 1500;
/** Met easily with the 500 ms stall rule; without it the top-up waits for Baileys' 30 s upload timeout. */
const BOUND_MS = 20_000;

/**
 * The stall: the messages WhatsApp kept while the bridge was away arrive as an offline backlog at
 * login (OpenWA #1660 describes that replay on rc14), and its first stanza is the server's
 * "prekeys run low" notification (whatsapp-rust #706: WhatsApp sends it when senders drained the
 * pool, as after many new chats). Baileys handles offline stanzas one after the other, and that
 * handler uploads prekeys and awaits the server's answer, which comes late from a slow server
 * (Baileys #573, #1813: queries left unanswered past the client's timeout). Nothing is handled
 * while the answer sits in the socket behind the backlog, so reading paused at 100 would wait
 * until Baileys gives the upload up (30 s). After 500 ms without a handled stanza the bridge reads
 * on, gets the answer, and the backlog goes through.
 */
test('an offline backlog behind a prekey top-up answered late: the bridge reads on and forwards all in order', async (t) => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  let bridge = await pairedDaemon({ sim, receiver, options: DEBUG });
  try {
    await sim.waitForOnline(30_000);
    await bridge.kill('SIGTERM');

    const alice = sim.contact({ phone: '4917620000011', pushName: 'Alice' });
    const bob = sim.contact({ phone: '4917620000012', pushName: 'Bob' });
    const senderOf = (i: number) => (i % 3 ? alice : bob);
    sim.lowPreKeys(); // queued first, so it comes first at the next login
    const backlog = await sim.sendMany(BACKLOG, (i) => ({ from: senderOf(i), text: `offline ${i}` }));
    sim.delayPreKeyUploadAnswers(ANSWER_DELAY_MS);
    const uploadsBefore = sim.recorded.prekeyUploads.length;
    let uploadAt = 0;
    sim.events.once('prekey-upload', () => (uploadAt = Date.now()));

    bridge = await startDaemon({ sim, receiver, dataDir: bridge.dataDir, options: DEBUG });
    await sim.waitForOnline(30_000);
    const onlineAt = Date.now();
    const copies = copiesCounter(receiver, new Set(backlog));
    await receiver.waitFor(() => copies().size === BACKLOG, BOUND_MS, `all ${BACKLOG} offline messages within ${BOUND_MS / 1000} s`);
    const seconds = (Date.now() - onlineAt) / 1000;
    await waitForEmptyOutbox(bridge);
    const firstArrival = Math.min(...receiver.requests.filter((r) => backlog.includes(r.json?.id)).map((r) => r.at));
    t.diagnostic(
      `${BACKLOG} offline messages forwarded ${seconds.toFixed(1)} s after login; the first ${firstArrival - uploadAt} ms after the prekey upload went out`,
    );

    assert.equal(sim.recorded.prekeyUploads.length, uploadsBefore + 1, 'Baileys topped its prekeys up once');
    // the backlog really waited on that answer: nothing behind the notification was handled before it
    assert.ok(firstArrival >= uploadAt + ANSWER_DELAY_MS, `the first message reached the webhook ${firstArrival - uploadAt} ms after the upload`);
    assert.ok(
      bridge.lines.some((l) => READING_AGAIN.test(l)),
      'the daemon read on after nothing was handled for 500 ms',
    );
    assert.deepEqual(
      [...copies()].filter(([, n]) => n !== 1),
      [],
      'every offline message reached the webhook exactly once',
    );
    assertOrderPerChat(receiver, backlog, senderOf, [alice, bob]);
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});
