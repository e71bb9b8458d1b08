import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WaSimulator, type Contact } from '../../simulator/index.js';
import { postToPage, startBridge, type InProcessBridge } from '../support/bridge-harness.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-tests-0123';

function send(bridge: InProcessBridge, body: unknown, token: string | null = TOKEN) {
  return fetch(new URL('api/send', bridge.apiUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the message API', () => {
  let s: BridgeWithReceiver;
  let alice: Contact;
  before(async () => {
    s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0, forward_own_messages: true } });
    alice = s.sim.contact({ phone: '4917600000061', pushName: 'Alice' });
  });
  after(() => s.close());

  test('GET /api/health answers without a token', async () => {
    const response = await fetch(new URL('api/health', s.bridge.apiUrl));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', whatsapp: 'connected' });
  });

  test('a missing or wrong token is refused with 401', async () => {
    assert.equal((await send(s.bridge, { to: '4917600000061', text: 'x' }, null)).status, 401);
    const wrong = await send(s.bridge, { to: '4917600000061', text: 'x' }, 'not-the-token-at-all');
    assert.equal(wrong.status, 401);
    assert.match((await wrong.json()).error, /Bearer/);
  });

  test('invalid bodies get a clear 400', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /must be JSON/],
      [{ text: 'no recipient' }, /'to' must be a phone number/],
      [{ to: 'hello', text: 'x' }, /'to' must be a phone number/],
      [{ to: '4917600000061', text: '' }, /'text' must be non-empty/],
      [{ to: '4917600000061', text: 'x', reply_to: 5 }, /'reply_to'/],
    ];
    for (const [body, message] of cases) {
      const response = await send(s.bridge, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match((await response.json()).error, message);
    }
  });

  test('sends to "+49 ..." formatting, and the contact decrypts it', async () => {
    const response = await send(s.bridge, { to: '+49 176 0000 0061', text: 'Hello from Home Assistant' });
    assert.equal(response.status, 200);
    const { id } = await response.json();
    const outgoing = await s.sim.waitForOutgoing((m) => m.id === id);
    assert.equal(outgoing.recipient.phone, alice.phone);
    assert.equal(outgoing.message.conversation ?? outgoing.message.extendedTextMessage?.text, 'Hello from Home Assistant');
  });

  test('sends to a LID JID', async () => {
    const { id } = await (await send(s.bridge, { to: `${alice.lid}@lid`, text: 'via LID' })).json();
    const outgoing = await s.sim.waitForOutgoing((m) => m.id === id);
    assert.equal(outgoing.recipient.phone, alice.phone);
  });

  test('reply_to quotes a received message', async () => {
    const received = await s.sim.sendText(alice, 'Is the garage open?');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === received.id));
    const { id } = await (await send(s.bridge, { to: '4917600000061@s.whatsapp.net', text: 'No, closed.', reply_to: received.id })).json();
    const outgoing = await s.sim.waitForOutgoing((m) => m.id === id);
    const context = outgoing.message.extendedTextMessage?.contextInfo;
    assert.equal(outgoing.message.extendedTextMessage?.text, 'No, closed.');
    assert.equal(context?.stanzaId, received.id);
    assert.equal(context?.quotedMessage?.conversation, 'Is the garage open?');
  });

  test('reply_to an unknown message and a number not on WhatsApp are 404', async () => {
    const unknownQuote = await send(s.bridge, { to: '4917600000061', text: 'x', reply_to: 'NOPE' });
    assert.equal(unknownQuote.status, 404);
    const notOnWhatsApp = await send(s.bridge, { to: '+1 555 0100 999', text: 'hello?' });
    assert.equal(notOnWhatsApp.status, 404);
    assert.match((await notOnWhatsApp.json()).error, /not on WhatsApp/);
  });

  test('messages the bridge sent are never forwarded back, even with forward_own_messages on', async () => {
    const { id } = await (await send(s.bridge, { to: '4917600000061', text: 'no loop please' })).json();
    await s.sim.waitForOutgoing((m) => m.id === id);
    const marker = await s.sim.sendText(alice, 'marker');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === marker.id));
    assert.ok(!s.receiver.accepted.some((p) => p.id === id));
  });
});

test('sending is paced and the queue answers 429 when full', async () => {
  const s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0.4 } });
  try {
    s.sim.contact({ phone: '4917600000062' });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => send(s.bridge, { to: '4917600000062', text: `paced ${i}` })));
    const statuses = responses.map((r) => r.status);
    assert.equal(statuses.filter((st) => st === 429).length, 1, `statuses ${statuses}`);
    const ids = await Promise.all(responses.filter((r) => r.status === 200).map(async (r) => (await r.json()).id as string));
    assert.equal(ids.length, 11);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 10 * 400, `11 sends took ${elapsed} ms: at least 10 intervals of 400 ms`);
  } finally {
    await s.close();
  }
});

test('not connected is 503; a generated token persists and only its hint is in the status', async () => {
  const sim = await WaSimulator.start();
  let bridge = await startBridge({ waUrl: sim.url, options: {} });
  try {
    await bridge.status.waitForState('qr');
    const token = (await (await postToPage(bridge.url, 'api/message-api/token')).json()).token as string;
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    const statusText = await (await fetch(new URL('api/status', bridge.url))).text();
    assert.ok(!statusText.includes(token), 'the status never holds the token');
    assert.equal(JSON.parse(statusText).api.token_hint, `…${token.slice(-4)}`);
    const response = await send(bridge, { to: '4917600000063', text: 'x' }, token);
    assert.equal(response.status, 503);
    assert.match((await response.json()).error, /not connected/);
    await bridge.stop();
    bridge = await startBridge({ waUrl: sim.url, options: {}, dataDir: bridge.dataDir });
    assert.equal((await send(bridge, { to: '4917600000063', text: 'x' }, token)).status, 503, 'same token after a restart');
  } finally {
    await bridge.stop();
    await sim.stop();
  }
});
