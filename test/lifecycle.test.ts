import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { SendQueue, SendRefused } from '../src/outgoing/send-queue.js';
import { Bridge } from '../src/bridge.js';
import { readEnvironment } from '../src/config/environment.js';
import { parseOptions } from '../src/config/options.js';
import { DATABASE_FILE, openDatabase } from '../src/state/database.js';
import { TestReceiver } from '../simulator/harness/receiver.js';
import { sleep, waitForEvent } from '../simulator/waits.js';
import { startBridge } from './support/bridge-harness.js';
import { webhookChannel } from './support/delivery-harness.js';

test('constructing the bridge touches no file and binds no port; start does, stop undoes it', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'wab-life-'));
  const dataDir = join(parent, 'data');
  const env = { ...readEnvironment({ DATA_DIR: dataDir, INGRESS_PORT: '0', API_PORT: '0', WA_WEBSOCKET_URL: 'ws://127.0.0.1:9/ws/chat' }) };
  const bridge = new Bridge({ env, parsed: parseOptions({}), logger: pino({ level: 'silent' }) });
  assert.equal(existsSync(dataDir), false, 'the constructor created the data folder');
  const { ingressPort, apiPort } = await bridge.start();
  try {
    assert.ok(existsSync(join(dataDir, DATABASE_FILE)), 'start opens the state file');
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/api/health`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${ingressPort}/api/status`)).status, 200);
  } finally {
    await bridge.stop();
  }
  await assert.rejects(fetch(`http://127.0.0.1:${apiPort}/api/health`), 'the message API is closed after stop');
  await assert.rejects(fetch(`http://127.0.0.1:${ingressPort}/api/status`), 'the page is closed after stop');
  // The state file is closed: another connection can take the write lock at once.
  const db = new Database(join(dataDir, DATABASE_FILE), { timeout: 0 });
  db.exec('BEGIN IMMEDIATE; COMMIT;');
  db.close();
  rmSync(parent, { recursive: true, force: true });
});

test('stop lets a delivery under way finish, and records it before the state file closes', async () => {
  const receiver = await TestReceiver.start();
  receiver.respondWith(() => ({ status: 200, delayMs: 400 }));
  const h = webhookChannel(receiver.url);
  await h.channel.start();
  h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'SLOW1' }]);
  await receiver.waitFor(() => receiver.arrivals === 1, 5000, 'the attempt to start');
  await h.close(); // stops the destination, then closes the state file
  const db = openDatabase(h.dataDir);
  try {
    assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM outbox').get(), { n: 0 }, 'the delivered row left the outbox');
    const logged = db.prepare("SELECT outcome FROM delivery_log WHERE message_id = 'SLOW1'").all() as Array<{ outcome: string }>;
    assert.deepEqual(logged, [{ outcome: 'delivered' }]);
  } finally {
    db.close();
    await receiver.close();
  }
});

test('stop cuts off a delivery that outlasts its deadline; the message stays queued and is delivered after a restart', async () => {
  const receiver = await TestReceiver.start();
  let hang = true;
  receiver.respondWith(() => (hang ? { status: 200, delayMs: 60_000 } : { status: 200 }));
  const h = webhookChannel(receiver.url, { timeoutMs: 30_000 });
  await h.channel.start();
  h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'HANG1' }]);
  await receiver.waitFor(() => receiver.arrivals === 1, 5000, 'the attempt to start');
  await h.close();
  hang = false;
  const again = webhookChannel(receiver.url, { dataDir: h.dataDir });
  try {
    const [cutOff] = again.log.recent(10, 'webhook');
    assert.equal(cutOff?.outcome, 'retrying');
    assert.equal(cutOff?.error, 'cut off: the app was stopping');
    await again.channel.start();
    await waitForEvent(again.bus, ['delivery'], () => again.channel.status().counts.delivered === 1 || undefined, 8000, 'delivered after the restart');
    assert.equal(receiver.accepted.at(-1)?.id, 'HANG1');
  } finally {
    await again.close();
    await receiver.close();
  }
});

test('stopping the send queue refuses the sends still waiting; the one under way finishes', async () => {
  const queue = new SendQueue(60_000, 10);
  const order: string[] = [];
  const first = queue.push(async () => {
    await sleep(50);
    order.push('first');
    return 'first';
  });
  const second = queue.push(async () => 'second');
  const third = queue.push(async () => 'third');
  queue.stop();
  const [firstResult, ...waiting] = await Promise.allSettled([first, second, third]);
  assert.deepEqual(firstResult, { status: 'fulfilled', value: 'first' });
  for (const result of waiting) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.status === 'rejected' && result.reason instanceof SendRefused && result.reason.reason === 'stopping');
  }
  await assert.rejects(
    queue.push(async () => 'late'),
    (error: unknown) => error instanceof SendRefused && error.reason === 'stopping',
  );
  assert.deepEqual(order, ['first']);
});

test('a refused api_token: the 401 says it was refused and why, without echoing it', async () => {
  const bridge = await startBridge({ waUrl: 'ws://127.0.0.1:9/ws/chat', options: { api_token: 'tooshort' } });
  try {
    const res = await fetch(new URL('api/send', bridge.apiUrl), {
      method: 'POST',
      headers: { Authorization: 'Bearer tooshort', 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '+49 151 2345678', text: 'hi' }),
    });
    assert.equal(res.status, 401);
    const { error } = (await res.json()) as { error: string };
    assert.match(error, /The 'api_token' option was refused because it is shorter than 16 characters/);
    assert.match(error, /generated token shown on its page/);
    assert.doesNotMatch(error, /tooshort/);
    const status = await (await fetch(new URL('api/status', bridge.url))).json();
    assert.equal(status.api.token_source, 'generated');
    assert.ok(
      status.problems.some((p: { option: string }) => p.option === 'api_token'),
      'the page lists the problem',
    );
  } finally {
    await bridge.stop();
  }
});

test('successful attempts are not a write each: they wait in memory, a failure writes them at once, stop writes the rest', async () => {
  const receiver = await TestReceiver.start();
  let refuse = false;
  receiver.respondWith(() => ({ status: refuse ? 400 : 200 }));
  const h = webhookChannel(receiver.url);
  await h.channel.start();
  const rows = () => (h.db.prepare('SELECT outcome FROM delivery_log ORDER BY seq').all() as Array<{ outcome: string }>).map((r) => r.outcome);
  const counted = () =>
    (h.db.prepare("SELECT delivered FROM delivery_counters WHERE destination = 'webhook'").get() as { delivered: number } | undefined)?.delivered;
  try {
    h.enqueue([1, 2, 3].map((i) => ({ chat: 'a@s.whatsapp.net', id: `OK${i}` })));
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 3 || undefined, 5000, 'three delivered');
    assert.deepEqual(rows(), [], 'nothing written for three successes');
    assert.equal(counted(), undefined);
    assert.deepEqual(
      h.log.recent(10).map((a) => a.messageId),
      ['OK3', 'OK2', 'OK1'],
      'the page sees them at once',
    );
    refuse = true;
    h.enqueue([{ chat: 'b@s.whatsapp.net', id: 'BAD1' }]);
    await waitForEvent(h.bus, ['delivery'], () => (h.channel.status().counts.dead === 1 ? true : undefined), 5000, 'the refusal');
    assert.deepEqual(rows(), ['delivered', 'delivered', 'delivered', 'dead'], 'the failure wrote what waited, in order');
    assert.equal(counted(), 3);
    refuse = false;
    h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'OK4' }]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 4 || undefined, 5000, 'the fourth');
  } finally {
    await h.close();
    await receiver.close();
  }
  const db = openDatabase(h.dataDir);
  try {
    assert.equal((db.prepare("SELECT COUNT(*) AS n FROM delivery_log WHERE message_id = 'OK4'").get() as { n: number }).n, 1, 'stop wrote it');
    assert.equal((db.prepare("SELECT delivered FROM delivery_counters WHERE destination = 'webhook'").get() as { delivered: number }).delivered, 4);
  } finally {
    db.close();
  }
});
