import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { startBridge } from '../support/bridge-harness.js';
import { fakeSupervisor } from '../support/fake-supervisor.js';
import { pairedBridge } from '../support/paired-bridge.js';

/** A paired bridge with Home Assistant events on, under a fake Supervisor. */
async function setup() {
  const { receiver: supervisor, env, events } = await fakeSupervisor();
  const paired = await pairedBridge({ options: { ha_event_enabled: true, media_download: false }, env }); // the image below has made-up keys: nothing to fetch
  const { sim, receiver, bridge } = paired;
  return {
    sim,
    receiver,
    supervisor,
    events,
    bridge,
    async close() {
      await paired.close();
      await supervisor.close();
    },
  };
}

test('each forwarded message fires whatsapp_message with the payload minus raw, plus raw_type', async () => {
  const s = await setup();
  try {
    const alice = s.sim.contact({ phone: '4917600000051', pushName: 'Alice' });
    const { id } = await s.sim.sendMessage(alice, {
      imageMessage: {
        caption: 'the garden',
        mimetype: 'image/jpeg',
        url: 'https://mmg.whatsapp.net/x',
        mediaKey: new Uint8Array(32),
        fileSha256: new Uint8Array(32),
        fileEncSha256: new Uint8Array(32),
        fileLength: 10,
        directPath: '/x',
      },
    });
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
    await s.supervisor.waitFor(() => s.events('whatsapp_bridge_connection').length >= 2);
    await s.supervisor.close();
    const alice = s.sim.contact({ phone: '4917600000052' });
    const ids = await s.sim.sendMany(50, (i) => ({ from: alice, text: `while down ${i}` }));
    await s.receiver.waitFor(() => s.receiver.accepted.length >= 50, 8000, 'webhook keeps flowing');
    await s.supervisor.listen();
    await s.supervisor.waitFor(() => s.events('whatsapp_message').length >= 50, 10_000, 'events after the restart');
    assert.deepEqual(
      s.events('whatsapp_message').map((e) => e.id),
      ids,
    );
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
    const problem = status.problems.find((p) => p.option === 'ha_event_enabled');
    assert.match(problem?.message ?? '', /needs Home Assistant's Supervisor.*events are off/, 'the page lists why events are off');
  } finally {
    await bridge.stop();
    await sim.stop();
  }
});
