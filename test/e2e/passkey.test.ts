import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { test } from 'node:test';
import { TestAuthenticator, type PasskeyOptions } from '../../simulator/index.js';
import type { StatusReport } from '../../src/web/status-report.js';
import type { ConnectionStatus } from '../../src/whatsapp/connection-status.js';
import { postToPage, type InProcessBridge } from '../support/bridge-harness.js';
import { bridgeWithReceiver, type BridgeWithReceiver } from '../support/paired-bridge.js';
import { sleep } from '../../simulator/waits.js';

/**
 * The passkey step of linking (issue #14, docs/passkey-protocol.md) through the whole stack: the
 * simulator asks for a passkey after the phone accepted the QR or code; the test reads the request
 * from the status API, has a test authenticator answer it (the user's browser on web.whatsapp.com),
 * and posts the result to the page's API, as the user pasting it.
 */

/** An unpaired bridge, every connection state it reports (also after a restart), and helpers. */
async function setup(options: Record<string, unknown> = {}) {
  const s = await bridgeWithReceiver({ options });
  const states: ConnectionStatus[] = [];
  const record = (bridge: InProcessBridge) => bridge.bridge.bus.on('connection', (st) => states.push({ ...st }));
  record(s.bridge);
  return Object.assign(s, {
    states,
    async restartBridge() {
      record(await s.restart());
    },
    /** The page's POST api/passkey with what the user pasted; the status and the one-line error. */
    async paste(result: unknown): Promise<{ status: number; error?: string }> {
      const response = await postToPage(s.bridge.url, 'api/passkey', { result });
      return { status: response.status, error: ((await response.json()) as { error?: string }).error };
    },
    passkeyState: (phase: string) => s.bridge.status.waitFor((st) => st.state === 'passkey' && st.passkey?.phase === phase, 9000, `passkey ${phase}`),
  });
}

/** The phone accepts the bridge's current QR and the server asks for a passkey; the returned promise settles when pairing does. */
async function scanWithPasskey(s: BridgeWithReceiver, passkey: PasskeyOptions) {
  const qr = (await s.bridge.status.waitForState('qr')).qr!;
  const paired = s.sim.pairWithQr(qr, { passkey });
  paired.catch(() => undefined); // a failing step rejects it; the tests that expect that await it
  return { qr, paired };
}

const optionsOf = (status: StatusReport): string => JSON.stringify(status.passkey!.request_options);

test('by QR: the page gets the request, a bad paste is refused with what to fix, the right one links and messages flow', async () => {
  const s = await setup({ webhook_events: ['message', 'connection'] });
  try {
    const authenticator = new TestAuthenticator();
    const { paired } = await scanWithPasskey(s, { authenticator });
    const waiting = await s.passkeyState('waiting');
    assert.equal(waiting.qr, null, 'no QR while the passkey step waits');
    assert.equal(optionsOf(waiting), s.sim.passkeyRequest!.options, 'the status carries the request options as WhatsApp sent them');
    assert.ok(waiting.passkey!.expires_at! > Date.now() + 500_000, 'ten minutes to go');
    const options = optionsOf(waiting);

    // Each local mistake: 400 with one line, and the step still waits for a paste.
    const assertion = authenticator.assert(options);
    const create = {
      ...assertion,
      response: {
        ...assertion.response,
        clientDataJSON: Buffer.from(
          JSON.stringify({ type: 'webauthn.create', challenge: JSON.parse(options).challenge, origin: 'https://web.whatsapp.com' }),
        ).toString('base64url'),
      },
    };
    const otherChallenge = authenticator.assert(JSON.stringify({ ...JSON.parse(options), challenge: Buffer.alloc(32, 7).toString('base64url') }));
    for (const [pasted, line] of [
      ['', /Paste the result/],
      ['Hello', /starts with \{/],
      [JSON.stringify(assertion).slice(0, 80) + '}', /not complete/],
      [{ ...assertion, response: { ...assertion.response, signature: undefined } }, /no valid signature/],
      [authenticator.assert(options, 'https://home.example'), /ran on https:\/\/home\.example, not on https:\/\/web\.whatsapp\.com/],
      [otherChallenge, /another request/],
      [create, /creating a passkey/],
    ] as const) {
      const answer = await s.paste(pasted);
      assert.equal(answer.status, 400, `refused: ${JSON.stringify(pasted).slice(0, 60)}`);
      assert.match(answer.error ?? '', line);
      assert.doesNotMatch(answer.error ?? '', /\n/);
    }
    assert.equal(s.bridge.status.latest!.passkey!.phase, 'waiting');

    // The right one, pasted as its text.
    assert.deepEqual(await s.paste(JSON.stringify(authenticator.assert(options))), { status: 200, error: undefined });
    await paired;
    await s.bridge.status.waitForState('connected');
    const code = s.states.find((st) => st.passkey?.confirmationCode)?.passkey?.confirmationCode;
    assert.match(code ?? '', /^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/);
    assert.equal(code, s.sim.passkeyRequest!.confirmationCode, 'the page shows the code the phone shows');
    assert.equal(s.bridge.status.latest!.passkey, null);

    const alice = s.sim.contact({ phone: '4917600000031', pushName: 'Alice' });
    const sent = await s.sim.sendText(alice, 'linked with a passkey');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === sent.id));
    const events = s.receiver.requests.map((r) => r.json as { event?: string; state?: string; reason?: string }).filter((b) => b?.event === 'connection');
    assert.match(events.find((e) => e.state === 'passkey_required')?.reason ?? '', /passkey.*app's page/);
    assert.equal(events.at(-1)?.state, 'connected');

    // The new ADV secret is saved: a restart logs in with the pairing.
    await s.restartBridge();
    await s.bridge.status.waitForState('connected');
  } finally {
    await s.close();
  }
});

test('by pairing code, with the options fetched by iq: links and forwards', async () => {
  const s = await setup();
  try {
    await s.bridge.status.waitForState('qr');
    const { code } = (await (await postToPage(s.bridge.url, 'api/pairing-code', { phone: `+${s.sim.account.phone}` })).json()) as { code: string };
    const authenticator = new TestAuthenticator();
    const paired = s.sim.pairWithCode(code, { passkey: { authenticator, omitOptions: true } });
    const waiting = await s.passkeyState('waiting');
    assert.equal(optionsOf(waiting), s.sim.passkeyRequest!.options);
    assert.equal((await s.paste(authenticator.assert(optionsOf(waiting)))).status, 200);
    await paired;
    await s.bridge.status.waitForState('connected');
    const sent = await s.sim.sendText(s.sim.contact({ phone: '4917600000032' }), 'linked by code and passkey');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === sent.id));
  } finally {
    await s.close();
  }
});

test('a passkey WhatsApp does not accept (another one) ends the step clearly; "Try again" links', async () => {
  const s = await setup();
  try {
    const authenticator = new TestAuthenticator();
    const { qr, paired } = await scanWithPasskey(s, { authenticator });
    const waiting = await s.passkeyState('waiting');
    const answer = await s.paste(new TestAuthenticator().assert(optionsOf(waiting)));
    assert.equal(answer.status, 422);
    assert.match(answer.error ?? '', /did not accept this passkey \(401\)/);
    const failed = await s.passkeyState('failed');
    assert.equal(failed.passkey!.error, answer.error);
    await assert.rejects(paired);
    // Nothing linked, and no new attempt until the user asks for one.
    assert.equal(s.sim.devices.length, 0);
    assert.equal((await s.paste(authenticator.assert(optionsOf(waiting)))).status, 409);

    assert.equal((await postToPage(s.bridge.url, 'api/passkey/cancel')).status, 200);
    const next = await scanWithPasskey(s, { authenticator });
    assert.notEqual(next.qr, qr, 'a fresh QR');
    assert.equal((await s.paste(authenticator.assert(optionsOf(await s.passkeyState('waiting'))))).status, 200);
    await next.paired;
    await s.bridge.status.waitForState('connected');
  } finally {
    await s.close();
  }
});

test('the request expiring, and the phone refusing, each end the step with what happened', async () => {
  const s = await setup();
  try {
    const authenticator = new TestAuthenticator();
    const expiring = await scanWithPasskey(s, { authenticator, timeoutMs: 1500 });
    await s.passkeyState('waiting');
    const expired = await s.passkeyState('failed');
    assert.match(expired.passkey!.error!, /expired/);
    await assert.rejects(expiring.paired);

    await postToPage(s.bridge.url, 'api/passkey/cancel');
    const refusing = await scanWithPasskey(s, { authenticator, refuse: 'phone' });
    assert.equal((await s.paste(authenticator.assert(optionsOf(await s.passkeyState('waiting'))))).status, 200);
    await assert.rejects(refusing.paired, /refused/);
    const refused = await s.passkeyState('failed');
    assert.match(refused.passkey!.error!, /phone did not confirm the link \(401\)/);
    assert.equal(s.sim.devices.length, 0, 'never a half-linked device');
  } finally {
    await s.close();
  }
});

test('Cancel on the page ends the step and shows a fresh QR', async () => {
  const s = await setup();
  try {
    const { qr, paired } = await scanWithPasskey(s, { authenticator: new TestAuthenticator() });
    await s.passkeyState('waiting');
    assert.equal((await postToPage(s.bridge.url, 'api/passkey/cancel')).status, 200);
    const fresh = await s.bridge.status.nextQr(qr);
    assert.notEqual(fresh, qr);
    assert.equal(s.bridge.status.latest!.passkey, null);
    await assert.rejects(paired);
    assert.equal((await postToPage(s.bridge.url, 'api/passkey/cancel')).status, 409, 'nothing to cancel now');
  } finally {
    await s.close();
  }
});

test('a restart during the step starts over with a new QR, and linking then works', async () => {
  const s = await setup();
  try {
    const authenticator = new TestAuthenticator();
    const { qr, paired } = await scanWithPasskey(s, { authenticator });
    await s.passkeyState('waiting');
    await s.restartBridge();
    const fresh = await s.bridge.status.nextQr(qr);
    assert.equal(s.bridge.status.latest!.passkey, null);
    await assert.rejects(paired);
    const next = s.sim.pairWithQr(fresh, { passkey: { authenticator } });
    assert.equal((await s.paste(authenticator.assert(optionsOf(await s.passkeyState('waiting'))))).status, 200);
    await next;
    await s.bridge.status.waitForState('connected');
  } finally {
    await s.close();
  }
});

/**
 * Baileys rotates QR codes every 20 s (60 s the first) and ends the socket after the simulator's
 * 6 refs. So as not to wait minutes, this speeds up Baileys' QR clock in this process to 400 ms
 * (its `genPairQR` timers, nothing else).
 */
function fastBaileysQrClock(ms: number): () => void {
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      const timer = resource as { _onTimeout?: { name?: string }; _idleTimeout?: number };
      if (type === 'Timeout' && timer._onTimeout?.name === 'genPairQR') timer._idleTimeout = ms;
    },
  }).enable();
  return () => hook.disable();
}

test('QR codes stop rotating while the step waits (without it the socket would end after its last QR)', async () => {
  const QR_MS = 400;
  const restore = fastBaileysQrClock(QR_MS);
  const s = await setup();
  try {
    // Without a passkey request: 6 codes, then Baileys ends the socket (408).
    await s.bridge.status.waitFor((st) => st.state === 'reconnecting' && st.last_disconnect?.code === 408, 9000, 'the end of the QR codes');
    assert.ok(new Set(s.states.map((st) => st.qr).filter(Boolean)).size >= 6);

    const authenticator = new TestAuthenticator();
    const { paired } = await scanWithPasskey(s, { authenticator });
    await s.passkeyState('waiting');
    const seen = s.states.length;
    await sleep(12 * QR_MS); // twice the codes the socket had
    assert.deepEqual(
      s.states.slice(seen).filter((st) => st.state !== 'passkey' || st.qr),
      [],
      'still in the passkey step, no QR since the request',
    );
    assert.equal(s.bridge.status.latest!.passkey!.phase, 'waiting', 'the socket is still open');
    assert.equal((await s.paste(authenticator.assert(optionsOf(s.bridge.status.latest!)))).status, 200);
    await paired;
    await s.bridge.status.waitForState('connected');
  } finally {
    restore();
    await s.close();
  }
});
