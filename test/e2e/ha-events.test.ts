import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { startBridge, webhookOptions } from '../support/bridge-harness.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';

const SUPERVISOR_TOKEN = 'supervisor-token-for-tests';

/** A fake Supervisor: checks the bearer token and records the events fired through its Core proxy. */
async function fakeSupervisor() {
  const supervisor = await TestReceiver.start();
  supervisor.respondWith((r) => ({ status: r.headers.authorization === `Bearer ${SUPERVISOR_TOKEN}` ? 200 : 401 }));
  const events = (type: string) => supervisor.requests.filter((r) => r.path === `/core/api/events/${type}`).map((r) => r.json);
  return { supervisor, events };
}

async function setup() {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const { supervisor, events } = await fakeSupervisor();
  const bridge = await startBridge({
    waUrl: sim.url,
    options: webhookOptions(receiver.url, { ha_event_enabled: true }),
    env: { SUPERVISOR_TOKEN, SUPERVISOR_URL: `http://127.0.0.1:${supervisor.port}` },
  });
  return {
    sim, receiver, supervisor, events, bridge,
    async close() {
      await bridge.stop();
      await sim.stop();
      await receiver.close();
      await supervisor.close();
    },
  };
}

test('each forwarded message fires whatsapp_message with the payload minus raw, plus raw_type', async () => {
  const s = await setup();
  try {
    await s.sim.pairWithQr(await s.bridge.status.nextQr());
    await s.bridge.status.waitForState('connected');
    const alice = s.sim.contact({ phone: '4917600000051', pushName: 'Alice' });
    const { id } = await s.sim.sendMessage(alice, { imageMessage: { caption: 'the garden', mimetype: 'image/jpeg', url: 'https://mmg.whatsapp.net/x', mediaKey: new Uint8Array(32), fileSha256: new Uint8Array(32), fileEncSha256: new Uint8Array(32), fileLength: 10, directPath: '/x' } });
    await s.supervisor.waitFor(() => s.events('whatsapp_message').some((e) => e.id === id));
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === id));
    const event = s.events('whatsapp_message').find((e) => e.id === id);
    const { raw, ...webhookWithoutRaw } = s.receiver.accepted.find((p) => p.id === id);
    assert.ok(raw, 'the webhook has raw');
    assert.deepEqual(event, { ...webhookWithoutRaw, raw_type: 'imageMessage' });
    assert.equal(s.supervisor.failed.length, 0, 'the bearer token was accepted');
  } finally {
    await s.close();
  }
});

test('whatsapp_bridge_connection reports qr_required, connected, disconnected and logged_out', async () => {
  const s = await setup();
  try {
    await s.sim.pairWithQr(await s.bridge.status.nextQr());
    await s.bridge.status.waitForState('connected');
    s.sim.closeSocket();
    await s.bridge.status.waitFor((st) => st.state === 'connected' && st.last_disconnect?.code === 428);
    await s.sim.unlink();
    await s.bridge.status.waitFor((st) => st.state === 'qr' && st.last_disconnect?.code === 401);
    await s.supervisor.waitFor(() => s.events('whatsapp_bridge_connection').length >= 6, 8000, 'six connection events');
    const states = s.events('whatsapp_bridge_connection').map((e) => e.state);
    assert.deepEqual(states, ['qr_required', 'connected', 'disconnected', 'connected', 'logged_out', 'qr_required']);
    const disconnected = s.events('whatsapp_bridge_connection')[2];
    assert.equal(disconnected.code, 428);
    assert.match(disconnected.reason, /closed/);
    assert.equal(s.events('whatsapp_bridge_connection')[1].phone, s.sim.account.phone);
  } finally {
    await s.close();
  }
});

test('a Home Assistant restart (Supervisor down) loses no event and keeps their order', async () => {
  const s = await setup();
  try {
    await s.sim.pairWithQr(await s.bridge.status.nextQr());
    await s.bridge.status.waitForState('connected');
    await s.supervisor.waitFor(() => s.events('whatsapp_bridge_connection').length >= 2);
    await s.supervisor.close();
    const alice = s.sim.contact({ phone: '4917600000052' });
    const ids = await s.sim.sendMany(50, (i) => ({ from: alice, text: `while down ${i}` }));
    await s.receiver.waitFor(() => s.receiver.accepted.length >= 50, 8000, 'webhook keeps flowing');
    await s.supervisor.listen();
    await s.supervisor.waitFor(() => s.events('whatsapp_message').length >= 50, 10_000, 'events after the restart');
    assert.deepEqual(s.events('whatsapp_message').map((e) => e.id), ids);
  } finally {
    await s.close();
  }
});

test('without the Supervisor, ha_event_enabled is reported and nothing is fired', async () => {
  const sim = await WaSimulator.start();
  const bridge = await startBridge({ waUrl: sim.url, options: { ha_event_enabled: true } });
  try {
    const status = await bridge.status.waitForState('qr');
    assert.equal(status.ha_events.enabled, false);
  } finally {
    await bridge.stop();
    await sim.stop();
  }
});
