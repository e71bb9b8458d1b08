import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WaSimulator } from '../../simulator/index.js';
import type { ConnectionStatus } from '../../src/whatsapp/connection-status.js';
import { postToPage, type InProcessBridge } from '../support/bridge-harness.js';
import { bridgeWithReceiver, pairedBridge } from '../support/paired-bridge.js';
import { sleep } from '../../simulator/waits.js';

/** A paired bridge, and every connection state it reports from then on, also after a restart. */
async function setup(opts: { keepAliveIntervalMs?: number } = {}) {
  const s = await pairedBridge(opts);
  const states: ConnectionStatus[] = [];
  const record = (bridge: InProcessBridge) => bridge.bridge.bus.on('connection', (st) => states.push(st));
  record(s.bridge);
  return Object.assign(s, {
    states,
    async restartBridge() {
      const bridge = await s.restart();
      record(bridge);
      return bridge;
    },
  });
}

/** The absence of a reconnect can only be shown by waiting; 2 s is twice the first backoff's ceiling. */
const LONGER_THAN_FIRST_BACKOFF_MS = 2000;

test('a restart logs in with the saved pairing (no QR) and receives what was sent meanwhile', async () => {
  const s = await setup();
  try {
    await s.bridge.stop();
    const alice = s.sim.contact({ phone: '4917600000021', pushName: 'Alice' });
    const whileDown = await s.sim.sendText(alice, 'sent while the bridge was stopped');
    const again = await s.restartBridge();
    const connected = await again.status.waitForState('connected');
    assert.equal(connected.qr, null);
    assert.ok(!s.states.some((st) => st.state === 'qr'), 'no QR after a restart');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === whileDown.id));
  } finally {
    await s.close();
  }
});

test('401 (unlinked on the phone) wipes the pairing and shows a new QR that pairs again', async () => {
  const s = await setup();
  try {
    const oldQrs = new Set(s.states.map((st) => st.qr));
    await s.sim.unlink();
    // logged_out is passed through at once on the way to the new QR; the page keeps the reason.
    const status = await s.bridge.status.waitFor((st) => st.state === 'qr' && st.last_disconnect?.code === 401);
    assert.ok(s.states.some((st) => st.state === 'logged_out'));
    assert.equal(status.me, null);
    const qr = status.qr!;
    assert.ok(!oldQrs.has(qr));
    await s.sim.pairWithQr(qr);
    await s.bridge.status.waitForState('connected');
  } finally {
    await s.close();
  }
});

for (const [name, fault, code] of [
  ['a closed socket (428)', (sim: WaSimulator) => sim.closeSocket(), 428],
  ['a stream error (500)', (sim: WaSimulator) => sim.streamError(500), 500],
] as const) {
  test(`${name} reconnects after a short backoff`, async () => {
    const s = await setup();
    try {
      const before = s.sim.connectionCount;
      fault(s.sim);
      const reconnecting = await s.bridge.status.waitForState('reconnecting');
      assert.equal(reconnecting.last_disconnect?.code, code);
      const delay = reconnecting.next_reconnect_at! - reconnecting.last_disconnect!.at;
      assert.ok(delay >= 400 && delay <= 1100, `first backoff ${delay} ms is within 0.5-1 s (+ rounding)`);
      await s.bridge.status.waitForState('connected');
      assert.equal(s.sim.connectionCount, before + 1);
    } finally {
      await s.close();
    }
  });
}

test('refused connections back off exponentially, then reconnect', async () => {
  const s = await setup();
  try {
    s.sim.refuseConnections(4000);
    s.sim.closeSocket();
    await s.bridge.status.waitFor(
      (st) => st.state === 'connected' && s.states.filter((x) => x.state === 'reconnecting').length >= 3,
      15_000,
      'reconnect after refusals',
    );
    const delays = s.states.filter((x) => x.state === 'reconnecting' && x.nextReconnectAt).map((x) => x.nextReconnectAt! - x.lastDisconnect!.at);
    assert.ok(delays.length >= 3, `delays ${delays}`);
    assert.ok(delays[2]! > delays[0]!, `backoff grows: ${delays.join(', ')} ms`);
    assert.ok(delays[2]! >= 1000 && delays[2]! <= 4100, `third delay ${delays[2]} ms within 1-4 s`);
  } finally {
    await s.close();
  }
});

test('440 (session used elsewhere) stops without a reconnect loop and reports it', async () => {
  const s = await setup();
  try {
    const before = s.sim.connectionCount;
    s.sim.streamError(440);
    const replaced = await s.bridge.status.waitForState('replaced');
    assert.equal(replaced.last_disconnect?.code, 440);
    assert.equal(replaced.next_reconnect_at, null);
    await sleep(LONGER_THAN_FIRST_BACKOFF_MS);
    assert.equal(s.sim.connectionCount, before, 'no new connection');
    // The page's Reconnect button brings it back once the other client is gone.
    await postToPage(s.bridge.url, 'api/reconnect');
    await s.bridge.status.waitForState('connected');
  } finally {
    await s.close();
  }
});

test('403 (account refused) stops and says so', async () => {
  const s = await setup();
  try {
    const before = s.sim.connectionCount;
    s.sim.streamError(403);
    const banned = await s.bridge.status.waitForState('banned');
    assert.equal(banned.last_disconnect?.code, 403);
    await sleep(LONGER_THAN_FIRST_BACKOFF_MS);
    assert.equal(s.sim.connectionCount, before);
  } finally {
    await s.close();
  }
});

test('a silent server (408 after the keep-alive) reconnects', async () => {
  const s = await setup({ keepAliveIntervalMs: 1000 });
  try {
    s.sim.goSilent();
    const reconnecting = await s.bridge.status.waitForState('reconnecting', 12_000);
    assert.equal(reconnecting.last_disconnect?.code, 408);
    await s.bridge.status.waitForState('connected');
  } finally {
    await s.close();
  }
});

test('pairing with a phone-number code instead of the QR', async () => {
  const s = await bridgeWithReceiver();
  try {
    await s.bridge.status.waitForState('qr');
    const bad = await postToPage(s.bridge.url, 'api/pairing-code', { phone: 'abc' });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /country code/);
    const response = await postToPage(s.bridge.url, 'api/pairing-code', { phone: `+${s.sim.account.phone}` });
    const { code } = await response.json();
    assert.match(code, /^[A-Z0-9]{8}$/);
    assert.equal((await s.bridge.status.waitFor((st) => st.pairing_code !== null)).pairing_code, code);
    await s.sim.pairWithCode(code);
    const connected = await s.bridge.status.waitForState('connected');
    assert.equal(connected.me?.phone, s.sim.account.phone);
  } finally {
    await s.close();
  }
});

test("unlink from the page takes the dialog's confirmation, logs out and brings back a QR", async () => {
  const s = await setup();
  try {
    const confirm = async () => ((await (await postToPage(s.bridge.url, 'api/logout/confirmation')).json()) as { confirmation: string }).confirmation;
    const unlink = async (body: unknown) => {
      const res = await postToPage(s.bridge.url, 'api/logout', body);
      return { status: res.status, text: await res.text() };
    };
    const without = await unlink({});
    assert.equal(without.status, 403);
    assert.match(without.text, /^\{"error":"Unlinking needs the confirmation[^\n]*api\/logout\."\}$/);
    const older = await confirm();
    const latest = await confirm();
    const stale = await unlink({ confirmation: older });
    assert.equal(stale.status, 409, 'a confirmation replaced by a newer one');
    assert.match(stale.text, /stale: it is not the latest one issued/);
    assert.equal(s.bridge.status.latest!.state, 'connected', 'nothing unlinked so far');
    const response = await postToPage(s.bridge.url, 'api/logout', { confirmation: latest });
    assert.equal(response.status, 200);
    assert.equal((await unlink({ confirmation: latest })).status, 409, 'used once');
    await s.bridge.status.waitForState('qr');
    assert.equal(s.bridge.status.latest!.me, null);
  } finally {
    await s.close();
  }
});
