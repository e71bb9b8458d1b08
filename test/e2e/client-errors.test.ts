import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { RateLimitedWarning } from '../../src/logging/rate-limited.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-client-error-tests';

/** A raw POST, for bodies fetch would not send (no body with a Content-Type, broken JSON). */
function rawPost(url: URL, body: string | null, headers: Record<string, string>): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, ...(body === null ? { 'Content-Length': '0' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : null, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

describe('client mistakes get a 4xx JSON error that says what to fix', () => {
  let s: BridgeWithReceiver;
  const json = { 'Content-Type': 'application/json' };
  const auth = { ...json, Authorization: `Bearer ${TOKEN}` };

  before(async () => {
    s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0 } });
  });
  after(() => s.close());

  const page = (path: string) => new URL(path, s.bridge.url);
  const api = (path: string) => new URL(path, s.bridge.apiUrl);

  test('malformed JSON: 400 on the page actions and on the message API', async () => {
    const onPage = await rawPost(page('api/pairing-code'), '{"phone": ', json);
    assert.equal(onPage.status, 400);
    assert.match(onPage.json.error, /not valid JSON/);
    const onApi = await rawPost(api('api/send'), '{"to": "+49', auth);
    assert.equal(onApi.status, 400);
    assert.match(onApi.json.error, /must be JSON/);
  });

  test('a bodiless action POST with Content-Type: application/json is done; without the header it is refused (415)', async () => {
    const bodiless = await rawPost(page('api/reconnect'), null, json);
    assert.equal(bodiless.status, 200);
    assert.deepEqual(bodiless.json, { ok: true });
    const noType = await rawPost(page('api/reconnect'), null, {});
    assert.equal(noType.status, 415);
    const form = await rawPost(page('api/logout'), 'a=b', { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415, 'a cross-site form cannot unlink');
    assert.equal((await fetch(page('api/status'))).status, 200);
  });

  test('wrong types: 400 with what to fix', async () => {
    for (const body of ['null', '[1,2]', '{"phone": 4915112345678.5}', '{"phone": {"a": 1}}']) {
      const res = await rawPost(page('api/pairing-code'), body, json);
      assert.ok(res.status === 400 || res.status === 409, `${body}: ${res.status}`);
      assert.ok(typeof res.json.error === 'string' && res.json.error.length > 10);
    }
    const notAnObject = await rawPost(api('api/send'), '"just text"', auth);
    assert.equal(notAnObject.status, 400);
  });

  test('a text as long as allowed (60,000 CJK characters, about 180 kB) is accepted', async () => {
    s.sim.contact({ phone: '4917600000007', pushName: 'Long' });
    const res = await fetch(api('api/send'), { method: 'POST', headers: auth, body: JSON.stringify({ to: '+4917600000007', text: '文'.repeat(60_000) }) });
    assert.equal(res.status, 200, JSON.stringify(await res.clone().json()));
    const tooLong = await fetch(api('api/send'), { method: 'POST', headers: auth, body: JSON.stringify({ to: '+4917600000007', text: 'x'.repeat(70_000) }) });
    assert.equal(tooLong.status, 400);
    assert.match((await tooLong.json()).error, /longer than 65536 characters/);
  });

  test('an unknown group is a 404 like an unknown number', async () => {
    const res = await fetch(api('api/send'), { method: 'POST', headers: auth, body: JSON.stringify({ to: '120363999999999999@g.us', text: 'hello?' }) });
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /Group 120363999999999999@g\.us does not exist, or this account is not a member/);
    const group = s.sim.group({ subject: 'Known', participants: [s.sim.contact({ phone: '4917600000008' })] });
    const known = await fetch(api('api/send'), { method: 'POST', headers: auth, body: JSON.stringify({ to: group.jid, text: 'hello group' }) });
    assert.equal(known.status, 200);
  });

  test('security headers on the page and on the API', async () => {
    const html = await fetch(page(''));
    const csp = html.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(html.headers.get('referrer-policy'), 'no-referrer');
    const health = await fetch(api('api/health'));
    assert.match(health.headers.get('content-security-policy') ?? '', /default-src 'none'; frame-ancestors 'none'/);
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
  });
});

test('refused-request warnings: one line per source per minute, with the count of the rest', () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  let now = 0;
  const warnings = new RateLimitedWarning(logger, () => now);
  for (let i = 0; i < 100; i++) warnings.warn('10.0.0.9', 'Refused a Web UI request from 10.0.0.9.');
  warnings.warn('10.0.0.10', 'Refused a Web UI request from 10.0.0.10.');
  now = 61_000;
  warnings.warn('10.0.0.9', 'Refused a Web UI request from 10.0.0.9.');
  assert.deepEqual(lines, [
    'Refused a Web UI request from 10.0.0.9.',
    'Refused a Web UI request from 10.0.0.10.',
    'Refused a Web UI request from 10.0.0.9. (99 more like it in the last minute)',
  ]);
});
