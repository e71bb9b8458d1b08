import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { committedMessageIds } from '../support/state-file.js';
import { pairedDaemon } from '../support/paired-bridge.js';
import { seededRandom } from '../support/seeded-random.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';

const optionErrors: Array<[string, Record<string, unknown> | string | null, RegExp]> = [
  ['a missing options.json', null, /options\.json does not exist/],
  ['invalid JSON', '{"webhook_enabled": true,', /not valid JSON/],
  ['a wrong type', { webhook_enabled: 'true' }, /Option 'webhook_enabled' must be true or false/],
  ['an invalid URL', { webhook_enabled: true, webhook_url: 'http//nothing' }, /Option 'webhook_url' .*not a URL/],
  ['webhook_enabled without a URL', { webhook_enabled: true }, /Option 'webhook_url' is empty but 'webhook_enabled' is on/],
];

for (const [name, options, message] of optionErrors) {
  test(`${name}: one clear error line, the webhook off, pairing still served`, async () => {
    const sim = await WaSimulator.start();
    const bridge = await BridgeProcess.start({ options, waUrl: sim.url });
    try {
      const errors = bridge.lines.filter((l) => / (ERROR|FATAL): /.test(l));
      assert.equal(errors.length, 1, `exactly one error line:\n${bridge.lines.join('\n')}`);
      assert.match(errors[0]!, message);
      assert.doesNotMatch(bridge.lines.join('\n'), /    at /, 'no stack trace');
      const stream = await StatusStream.open(bridge.ingressUrl);
      const status = await stream.waitForState('qr');
      stream.close();
      assert.equal(status.webhook.enabled, false);
      assert.match(status.problems[0]!.message, message);
    } finally {
      await bridge.kill('SIGTERM');
      await sim.stop();
    }
  });
}

test('the log is readable lines at the chosen level, with the QR only as a drawing and no secrets', async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const bridge = await BridgeProcess.start({
    options: webhookOptions(receiver.url, { webhook_token: 'TOKEN-SHOULD-NOT-APPEAR', webhook_secret: 'SECRET-SHOULD-NOT-APPEAR' }),
    waUrl: sim.url,
  });
  try {
    const stream = await StatusStream.open(bridge.ingressUrl);
    const qr = await stream.nextQr();
    await bridge.waitForLog(/Scan this QR code/);
    await sim.pairWithQr(qr);
    await stream.waitForState('connected');
    await bridge.waitForLog(/Connected to WhatsApp as \+/);
    stream.close();
    const log = bridge.lines.join('\n');
    assert.match(bridge.lines[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: WhatsApp Bridge \d+\.\d+\.\d+ starting/);
    assert.match(log, /[▄▀█]{10}/, 'the QR is drawn');
    assert.ok(!log.includes(qr), 'the QR string itself is not logged');
    assert.doesNotMatch(log, /TOKEN-SHOULD-NOT-APPEAR|SECRET-SHOULD-NOT-APPEAR/);
    assert.doesNotMatch(log, /^\{/m, 'no raw JSON lines');
    assert.doesNotMatch(log, /DEBUG|TRACE/, 'nothing below info at log_level info (Baileys is silent)');
    assert.doesNotMatch(log, / (ERROR|FATAL): /, 'pairing, the 515 restart and the login log no error (an unexpected rejection would)');
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});

/** Every id arrived at least once, and every repeat carried the same webhook-id. */
function assertAllDelivered(receiver: TestReceiver, ids: string[]) {
  const byId = new Map<string, Set<string>>();
  for (const r of receiver.requests) {
    const set = byId.get(r.json.id) ?? new Set();
    set.add(String(r.headers['webhook-id']));
    byId.set(r.json.id, set);
  }
  const missing = ids.filter((id) => !byId.has(id));
  assert.deepEqual(missing, [], `${missing.length} message(s) never arrived`);
  for (const [id, webhookIds] of byId) assert.equal(webhookIds.size, 1, `duplicates of ${id} carry one webhook-id`);
}

test("SIGTERM mid-burst exits 0 within the Supervisor's 10 s and loses nothing", async (t) => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  receiver.respondWith(() => ({ status: 200, delayMs: 20 })); // a slowish receiver, so work is in flight
  let bridge = await pairedDaemon({ sim, receiver });
  try {
    const alice = sim.contact({ phone: '4917600000031' });
    const bob = sim.contact({ phone: '4917600000032' });
    const ids = await sim.sendMany(300, (i) => ({ from: i % 2 ? alice : bob, text: `m${i}` }));
    await receiver.waitForCount(30);
    const stopped = await bridge.kill('SIGTERM');
    assert.equal(stopped.code, 0, bridge.lines.join('\n'));
    assert.ok(stopped.ms < 10_000, `stopped in ${stopped.ms} ms`);
    t.diagnostic(`SIGTERM to exit: ${stopped.ms} ms with ${receiver.requests.length} of 300 delivered`);
    assert.ok(receiver.requests.length < 300, 'stopped mid-burst');
    bridge = await pairedDaemon({ sim, receiver, dataDir: bridge.dataDir });
    await receiver.waitFor(() => new Set(receiver.accepted.map((p) => p.id)).size >= 300, 20_000, 'all 300 after restart');
    assertAllDelivered(receiver, ids);
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});

test('kill -9 at random moments during a burst, 5 times: nothing is lost, repeats share a webhook-id', async (t) => {
  const random = seededRandom(t);
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  let bridge = await pairedDaemon({ sim, receiver });
  const contacts = Array.from({ length: 5 }, (_, i) => sim.contact({ phone: `49176000001${i}0` }));
  const refused = new Set<string>();
  sim.events.on('ack', (ack) => ack.error && refused.add(ack.id));
  const sent: string[] = [];
  try {
    for (let round = 0; round < 5; round++) {
      const burst = sim.sendMany(200, (i) => ({ from: contacts[i % 5]!, text: `r${round} m${i}` }));
      await receiver.waitForCount(receiver.requests.length + 1 + Math.floor(random() * 100), 15_000);
      await bridge.kill('SIGKILL');
      const receiptsAtKill = sim.recorded.receipts.length;
      const ids = await burst;
      sent.push(...ids);
      // WhatsApp forgets a message once it has the receipt, so each receipted one must be committed.
      const receipted = new Set(sim.recorded.receipts.slice(0, receiptsAtKill).flatMap((r) => r.ids));
      const committed = new Set(committedMessageIds(bridge.dataDir));
      const receiptedNotCommitted = ids.filter((id) => receipted.has(id) && !committed.has(id));
      assert.deepEqual(receiptedNotCommitted, [], `round ${round}: receipted before the kill but not committed`);
      bridge = await pairedDaemon({ sim, receiver, dataDir: bridge.dataDir });
    }
    await sim.waitForAcks(sent, 30_000);
    await receiver.waitFor(() => sent.every((id) => receiver.accepted.some((p) => p.id === id)), 30_000, 'every message');
    assertAllDelivered(receiver, sent);
    const repeats = receiver.requests.length - new Set(receiver.accepted.map((p) => p.id)).size;
    // A message killed after its commit but before its receipt comes again; its Signal session has
    // moved on, so the bridge refuses the copy, and the committed original is what arrives.
    t.diagnostic(`sent ${sent.length}, delivered twice ${repeats}, refused copies of committed messages ${refused.size}`);
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});

test('the built app (npm run build, started as run.sh does) pairs, forwards and answers its health check', async () => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const bridge = await BridgeProcess.start({ built: true, options: webhookOptions(receiver.url), waUrl: sim.url, env: { API_PORT: '0' } });
  try {
    const apiPort = /Message API listening on port (\d+)/.exec(await bridge.waitForLog(/Message API listening/))![1];
    const health = await fetch(`http://127.0.0.1:${apiPort}/api/health`);
    assert.equal(health.status, 200);
    const stream = await StatusStream.open(bridge.ingressUrl);
    await sim.pairWithQr(await stream.nextQr());
    await stream.waitForState('connected');
    stream.close();
    const page = await fetch(bridge.ingressUrl);
    assert.match(await page.text(), /<title>WhatsApp Bridge<\/title>/, 'the page is part of the build');
    const { id } = await sim.sendText(sim.contact({ phone: '4917600000081' }), 'from the built app');
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === id));
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});
