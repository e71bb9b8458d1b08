import assert from 'node:assert/strict';
import express from 'express';
import type { Server } from 'node:http';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { RateLimitedWarning } from '../src/logging/rate-limited.js';
import { boundPort, close, listen } from '../src/web/http-server.js';
import { pageOriginGuard } from '../src/web/page-origin.js';

function send(port: number, method: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/api/logout', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The rule under the Supervisor, where the page cannot be reached from 172.30.32.2 in a test:
 * the guard itself in a real server on 127.0.0.1, fed the headers Home Assistant's ingress
 * forwards (the browser's Host and Origin, X-Ingress-Path, X-Forwarded-Host).
 */
describe("under the Supervisor: requests through Home Assistant's ingress, from its own page", () => {
  let server: Server;
  let port: number;
  const INGRESS = { 'X-Ingress-Path': '/api/hassio_ingress/Ab3_xYz-123' };

  before(async () => {
    const app = express();
    const refusals = new RateLimitedWarning(pino({ level: 'silent' }));
    app.use(pageOriginGuard({ viaSupervisor: true, port: () => 8099, refusals }));
    app.all('/api/logout', (_req, res) => void res.json({ ok: true }));
    server = await listen(app, 0, '127.0.0.1');
    port = boundPort(server);
  });
  after(() => close(server));

  test('whatever address Home Assistant is opened at is answered through the ingress, from its own origin', async () => {
    for (const [host, origin] of [
      ['homeassistant.local:8123', 'http://homeassistant.local:8123'],
      ['ha.example.org', 'https://ha.example.org'],
      ['192.168.1.20:8123', 'http://192.168.1.20:8123'],
    ]) {
      assert.equal((await send(port, 'GET', { Host: host!, ...INGRESS })).status, 200, host);
      assert.equal((await send(port, 'POST', { Host: host!, Origin: origin!, 'Sec-Fetch-Site': 'same-origin', ...INGRESS })).status, 200, host);
    }
    // Behind a reverse proxy that sends its upstream as Host, the browser's host is in X-Forwarded-Host.
    const behindProxy = { Host: 'homeassistant:8123', 'X-Forwarded-Host': 'ha.example.org', Origin: 'https://ha.example.org', ...INGRESS };
    assert.equal((await send(port, 'POST', behindProxy)).status, 200);
    // One that rewrites Host and adds nothing: the browser's Sec-Fetch-Site still says same-origin.
    const rewritten = { Host: 'homeassistant:8123', Origin: 'https://ha.example.org', 'Sec-Fetch-Site': 'same-origin', ...INGRESS };
    assert.equal((await send(port, 'POST', rewritten)).status, 200);
  });

  test('without the ingress headers, or from another origin, it is refused with one line saying what', async () => {
    const direct = await send(port, 'GET', { Host: 'local-whatsapp-bridge:8099' });
    assert.equal(direct.status, 403);
    assert.match(JSON.parse(direct.text).error, /answers only through Home Assistant's ingress/);
    assert.equal((await send(port, 'GET', { Host: 'homeassistant.local:8123', 'X-Ingress-Path': '/elsewhere' })).status, 403);
    const foreign: Array<Record<string, string>> = [
      { Origin: 'http://evil.example' },
      { Origin: 'http://homeassistant.local:8124' }, // another port is another origin
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const headers of foreign) {
      const answer = await send(port, 'POST', { Host: 'homeassistant.local:8123', ...INGRESS, ...headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.match(JSON.parse(answer.text).error, /^Refused: /);
      assert.ok(!answer.text.includes('\n'));
    }
  });
});
