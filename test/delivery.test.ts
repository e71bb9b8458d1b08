import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webhookChannel } from './support/delivery-harness.js';
import { waitForEvent } from '../simulator/waits.js';
import { TestReceiver } from '../simulator/harness/receiver.js';

/** Asserts each chat's messages arrived in the order they were queued. */
function assertOrderPerChat(bodies: Array<{ chat: string; n: number }>) {
  const last = new Map<string, number>();
  for (const b of bodies) {
    assert.ok((last.get(b.chat) ?? -1) < b.n, `chat ${b.chat}: message ${b.n} arrived after ${last.get(b.chat)}`);
    last.set(b.chat, b.n);
  }
}

test('receiver down for a 1,000-message burst across 20 chats, then up: all delivered, each chat in order', async () => {
  const receiver = await TestReceiver.start();
  const url = receiver.url;
  await receiver.close(); // down: connections refused
  const h = webhookChannel(url);
  try {
    h.channel.start();
    const messages = Array.from({ length: 1000 }, (_, n) => ({ chat: `chat${n % 20}@s.whatsapp.net`, id: `M${n}`, body: { chat: `chat${n % 20}`, n } }));
    h.enqueue(messages);
    // Wait until every chat's head has failed once, then bring the receiver back.
    await new Promise<void>((resolve) => {
      const failedChats = new Set<string>();
      h.bus.on('delivery', (a) => {
        if (a.outcome === 'retrying') failedChats.add(a.chat);
        if (failedChats.size === 20) resolve();
      });
    });
    assert.equal(receiver.requests.length, 0);
    await receiver.listen();
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 1000 || undefined, 20_000, '1000 delivered');
    const bodies = receiver.accepted as Array<{ chat: string; n: number }>;
    assert.equal(new Set(bodies.map((b) => b.n)).size, 1000, 'no id lost or doubled');
    assertOrderPerChat(bodies);
    const counts = h.channel.status().counts;
    assert.equal(counts.delivered, 1000);
    assert.equal(counts.queued, 0);
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('once a retry succeeds, the other waiting chats are tried at once, not at their own retry times', async () => {
  const receiver = await TestReceiver.start();
  let up = false;
  receiver.respondWith(() => ({ status: up ? 200 : 503 }));
  const h = webhookChannel(receiver.url, { concurrency: 10 });
  try {
    h.channel.start();
    const chats = Array.from({ length: 10 }, (_, i) => `chat${i}@s.whatsapp.net`);
    h.enqueue(chats.map((chat, i) => ({ chat, id: `W${i}` })));
    // Two failures each: the next retries are about 5 s away, spread by ±20 % jitter.
    await waitForEvent(h.bus, ['delivery'], () => (receiver.failed.length >= 20 && receiver.failed.length) || undefined, 8000, 'two failures per chat');
    up = true;
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 10 || undefined, 10_000, '10 delivered');
    const deliveredAt = receiver.requests.map((r) => r.at);
    const spread = Math.max(...deliveredAt) - Math.min(...deliveredAt);
    assert.ok(spread < 500, `the last chat was delivered ${spread} ms after the first`);
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('a 500 is retried and the message then delivered with the same webhook-id', async () => {
  const receiver = await TestReceiver.start();
  receiver.respondWith((_r, i) => ({ status: i === 0 ? 500 : 200 }));
  const h = webhookChannel(receiver.url);
  try {
    h.channel.start();
    h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'X1' }]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 1 || undefined, 8000, '1 delivered');
    assert.equal(receiver.failed.length, 1);
    assert.equal(receiver.failed[0]!.headers['webhook-id'], receiver.requests[0]!.headers['webhook-id']);
    const log = h.log.recent(50, 'webhook');
    assert.deepEqual(
      log.map((a) => [a.outcome, a.status, a.attempt]),
      [
        ['delivered', 200, 2],
        ['retrying', 500, 1],
      ],
    );
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('a receiver that times out is retried', async () => {
  const receiver = await TestReceiver.start();
  receiver.respondWith((_r, i) => (i === 0 ? { status: 200, delayMs: 1500 } : { status: 200 }));
  const h = webhookChannel(receiver.url, { timeoutMs: 300 });
  try {
    h.channel.start();
    h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'T1' }]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 1 || undefined, 8000, '1 delivered');
    const log = h.log.recent(50, 'webhook');
    assert.equal(log.at(-1)!.error, 'timed out');
    assert.equal(log.at(-1)!.outcome, 'retrying');
    assert.equal(log[0]!.outcome, 'delivered');
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('429 with Retry-After waits as told', async () => {
  const receiver = await TestReceiver.start();
  receiver.respondWith((_r, i) => (i === 0 ? { status: 429, headers: { 'Retry-After': '2' } } : { status: 200 }));
  const h = webhookChannel(receiver.url);
  try {
    h.channel.start();
    h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'R1' }]);
    await receiver.waitForCount(1, 8000);
    const waited = receiver.requests[0]!.at - receiver.failed[0]!.at;
    assert.ok(waited >= 1900, `retried after ${waited} ms, Retry-After said 2 s`);
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('a 404 is dead at once and does not block its chat; dead rows can be re-queued', async () => {
  const receiver = await TestReceiver.start();
  receiver.respondWith((r) => ({ status: r.json.id === 'D1' ? 404 : 200 }));
  const h = webhookChannel(receiver.url);
  try {
    h.channel.start();
    h.enqueue([
      { chat: 'a@s.whatsapp.net', id: 'D1', body: { id: 'D1' } },
      { chat: 'a@s.whatsapp.net', id: 'D2', body: { id: 'D2' } },
    ]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 1 || undefined, 8000, '1 delivered');
    assert.equal(receiver.accepted[0].id, 'D2');
    assert.equal(h.channel.status().counts.dead, 1);
    assert.equal(receiver.failed.length, 1, '404 is not retried');

    receiver.respondWith(() => ({ status: 200 }));
    assert.equal(h.channel.requeueDead(), 1);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 2 || undefined, 8000, '2 delivered');
    assert.equal(receiver.accepted[1].id, 'D1');
    assert.equal(h.channel.status().counts.dead, 0);
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('410 Gone kills the message and pauses the endpoint until dead rows are re-queued', async () => {
  const receiver = await TestReceiver.start();
  receiver.respondWith(() => ({ status: 410 }));
  const h = webhookChannel(receiver.url);
  try {
    h.channel.start();
    h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'G1' }]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().paused !== null || undefined, 8000, 'the endpoint paused');
    assert.equal(receiver.failed.length, 1);
    h.enqueue([{ chat: 'b@s.whatsapp.net', id: 'G2' }]);
    assert.equal(h.channel.status().counts.queued, 1, 'new messages queue while paused');
    receiver.respondWith(() => ({ status: 200 }));
    h.channel.requeueDead();
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 2 || undefined, 8000, '2 delivered');
    assert.equal(h.channel.status().paused, null);
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('every request carries the contract headers, idempotency headers and both signatures', async () => {
  const receiver = await TestReceiver.start();
  const h = webhookChannel(receiver.url, { token: 'tok-123', secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });
  try {
    h.channel.start();
    h.enqueue([{ chat: 'a@s.whatsapp.net', id: 'H1' }]);
    await receiver.waitForCount(1);
    const headers = receiver.requests[0]!.headers;
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['x-webhook-token'], 'tok-123');
    assert.match(String(headers['user-agent']), /^WhatsAppBridge\/\d+\.\d+\.\d+/);
    assert.match(String(headers['webhook-id']), /^msg_[A-Za-z0-9_-]{26}$/);
    assert.match(String(headers['webhook-timestamp']), /^\d{10}$/);
    assert.match(String(headers['webhook-signature']), /^v1,[A-Za-z0-9+/=]+$/);
    assert.match(String(headers['x-webhook-signature']), /^sha256=[0-9a-f]{64}$/);
  } finally {
    await h.close();
    await receiver.close();
  }
});

test('a message delivered twice by WhatsApp is queued once, also after a restart', async () => {
  const receiver = await TestReceiver.start();
  const first = webhookChannel(receiver.url);
  first.channel.start();
  first.enqueue([{ chat: 'a@s.whatsapp.net', id: 'DUP' }]);
  await receiver.waitForCount(1);
  await first.close();
  const second = webhookChannel(receiver.url, { dataDir: first.dataDir });
  try {
    second.channel.start();
    second.enqueue([
      { chat: 'a@s.whatsapp.net', id: 'DUP' },
      { chat: 'a@s.whatsapp.net', id: 'NEW' },
    ]);
    await receiver.waitForCount(2);
    assert.deepEqual(
      receiver.accepted.map((b) => b.id),
      ['DUP', 'NEW'],
    );
  } finally {
    await second.close();
    await receiver.close();
  }
});
