import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { waitForEvent } from '../simulator/waits.js';
import { webhookChannel } from './support/delivery-harness.js';

/** A receiver on 127.0.0.1 whose answer the test scripts per request body (its `chat`). */
async function receiver(answer: (chat: string, res: ServerResponse) => void): Promise<{ url: string; server: Server; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      answer((JSON.parse(body) as { chat: string }).chat, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server, bodies };
}

async function closeAll(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

test('a receiver that answers 200 and then trickles its body forever: delivered once, and it cannot hold the delivery slots', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const r = await receiver((chat, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    if (chat === 'quick') return void res.end('ok');
    const drip = setInterval(() => res.write('.'), 100); // never ends
    timers.add(drip);
    res.on('close', () => clearInterval(drip));
  });
  const h = webhookChannel(r.url, { concurrency: 4 });
  try {
    await h.channel.start();
    // Four trickling chats take every slot; the fifth chat gets one only if a slot is given back.
    h.enqueue(['t1', 't2', 't3', 't4', 'quick'].map((chat) => ({ chat, id: `${chat}-1`, body: { chat } })));
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 5 || undefined, 15_000, '5 delivered');
    const log = h.log.recent(10, 'webhook');
    assert.equal(log.length, 5, 'one attempt each: none is retried into a duplicate');
    assert.ok(log.every((a) => a.outcome === 'delivered' && a.status === 200 && a.attempt === 1));
    assert.equal(r.bodies.length, 5);
  } finally {
    timers.forEach(clearInterval);
    await h.close();
    await closeAll(r.server);
  }
});

test('a 2xx with a huge body counts as delivered; the body is not read to its end', async () => {
  const r = await receiver((_chat, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < 2000 && res.write(chunk)) sent++; // 128 MB if anyone read it all
      if (sent < 2000 && !res.destroyed) res.once('drain', pump);
      else res.end();
    };
    pump();
  });
  const h = webhookChannel(r.url);
  try {
    await h.channel.start();
    h.enqueue([{ chat: 'big', id: 'BIG1', body: { chat: 'big' } }]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 1 || undefined, 10_000, 'delivered');
    assert.deepEqual(
      h.log.recent(10, 'webhook').map((a) => [a.outcome, a.attempt]),
      [['delivered', 1]],
    );
  } finally {
    await h.close();
    await closeAll(r.server);
  }
});

test('headers that never come are cut off at the deadline and retried', async () => {
  let answered = 0;
  const r = await receiver((_chat, res) => {
    if (answered++ === 0) return; // silence: no status line at all
    res.writeHead(200).end();
  });
  const h = webhookChannel(r.url, { timeoutMs: 500 });
  try {
    await h.channel.start();
    h.enqueue([{ chat: 'silent', id: 'S1', body: { chat: 'silent' } }]);
    await waitForEvent(h.bus, ['delivery'], () => h.channel.status().counts.delivered === 1 || undefined, 10_000, 'delivered after a retry');
    assert.deepEqual(
      h.log.recent(10, 'webhook').map((a) => [a.outcome, a.error]),
      [
        ['delivered', null],
        ['retrying', 'timed out'],
      ],
    );
  } finally {
    await h.close();
    await closeAll(r.server);
  }
});
