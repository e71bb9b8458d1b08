import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { needsNginx, startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';

interface Answer {
  status: number;
  text: string;
}

/** A raw request with exactly these headers (fetch would set Host and Origin itself). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A refusal is one line of JSON with an error that names what was refused. */
function assertRefused(answer: Answer, says: RegExp): void {
  assert.equal(answer.status, 403, answer.text);
  assert.ok(!answer.text.includes('\n'), 'one line');
  const { error } = JSON.parse(answer.text) as { error: string };
  assert.match(error, says);
}

/**
 * The page's API through the real daemon on 127.0.0.1: only its own address in Host (no
 * DNS-rebinding name, whatever the port), and no cross-origin change (Origin, Sec-Fetch-Site).
 */
describe("the page's API answers only its own address and its own page", () => {
  let sim: WaSimulator;
  let daemon: BridgeProcess;
  let port: number;
  let proxy: IngressProxy | null = null;
  const json = { 'Content-Type': 'application/json' };

  before(async () => {
    sim = await WaSimulator.start();
    daemon = await BridgeProcess.start({ options: { log_level: 'info' }, waUrl: sim.url });
    port = Number(new URL(daemon.ingressUrl).port);
  });
  after(async () => {
    await proxy?.stop();
    await daemon?.kill('SIGTERM');
    await sim?.stop();
  });

  test('its own loopback names on its port are answered, GET and POST', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      assert.equal((await send(port, 'GET', '/api/status', { Host: host })).status, 200, host);
      const token = await send(
        port,
        'POST',
        '/api/message-api/token',
        { ...json, Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' },
        '{}',
      );
      assert.equal(token.status, 200, `${host}: ${token.text}`);
      assert.match(JSON.parse(token.text).token, /^\S{16,}$/);
    }
  });

  test('a foreign Host, or a rebinding name with the right port, is refused and cannot read the token', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `127.0.0.1:${port + 1}`, `user@127.0.0.1:${port}`]) {
      assertRefused(await send(port, 'POST', '/api/message-api/token', { ...json, Host: host }, '{}'), /^Refused: the Host ".*" is not this page's address/);
      assertRefused(await send(port, 'GET', '/api/status', { Host: host }), /is not this page's address; open it at http:\/\/127\.0\.0\.1:\d+\//);
    }
    const page = await send(port, 'GET', '/', { Host: `evil.example:${port}` });
    assert.equal(page.status, 403);
    assert.doesNotMatch(page.text, /<html/i, 'not even the page itself');
    assert.ok(
      daemon.lines.some((l) => /WARN: Refused a Web UI request \(POST \/api\/message-api\/token\): unexpected Host "evil\.example"/.test(l)),
      'the log says what was refused',
    );
  });

  test('a cross-origin change is refused: a foreign Origin, Sec-Fetch-Site cross-site or same-site', async () => {
    const host = `127.0.0.1:${port}`;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ Origin: 'http://evil.example' }, /^Refused: the Origin "http:\/\/evil\.example" is not this page's/],
      [{ Origin: `http://localhost:${port}` }, /the Origin "http:\/\/localhost:\d+" is not this page's/],
      [{ Origin: 'null' }, /the Origin "null"/],
      [{ 'Sec-Fetch-Site': 'cross-site' }, /^Refused: a request from another site cannot change anything here \(Sec-Fetch-Site: "cross-site"\)/],
      [{ 'Sec-Fetch-Site': 'same-site', Origin: `http://${host}` }, /another site .*\(Sec-Fetch-Site: "same-site"\)/],
    ];
    for (const [headers, says] of cases) {
      for (const path of ['/api/message-api/token', '/api/logout', '/api/reconnect']) {
        assertRefused(await send(port, 'POST', path, { ...json, Host: host, ...headers }, '{}'), says);
      }
    }
    // A read from another origin needs no refusal (the browser keeps the answer from that page), but a same-origin POST passes.
    assert.equal((await send(port, 'GET', '/api/status', { Host: host, Origin: 'http://evil.example' })).status, 200);
    assert.equal(
      (await send(port, 'POST', '/api/reconnect', { ...json, Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' }, '{}')).status,
      200,
    );
  });

  test('through an ingress-like proxy (the browser Host and Origin forwarded, X-Ingress-Path added) it is answered', { skip: needsNginx }, async () => {
    proxy = await startIngressProxy({ upstreamPort: port });
    const origin = `http://127.0.0.1:${proxy.port}`;
    const via = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      send(proxy!.port, method, `${proxy!.ingressPath}${path}`, headers, body);
    assert.equal((await via('GET', '/api/status', { Host: `127.0.0.1:${proxy.port}` })).status, 200);
    const token = await via(
      'POST',
      '/api/message-api/token',
      { ...json, Host: `127.0.0.1:${proxy.port}`, Origin: origin, 'Sec-Fetch-Site': 'same-origin' },
      '{}',
    );
    assert.equal(token.status, 200, token.text);
    // The proxy forwards whatever Host the browser sent: a rebinding name is refused behind it too.
    assertRefused(await via('POST', '/api/message-api/token', { ...json, Host: `evil.example:${proxy.port}` }, '{}'), /Host "evil\.example:\d+"/);
    assertRefused(
      await via('POST', '/api/reconnect', { ...json, Host: `127.0.0.1:${proxy.port}`, Origin: 'http://evil.example' }, '{}'),
      /Origin "http:\/\/evil\.example"/,
    );
  });
});
