// Home Assistant entities over MQTT, through the real stack: simulator -> real Baileys -> the
// bridge -> a real mosquitto broker, read by the npm mqtt client as Home Assistant would.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { WaSimulator, type Contact } from '../../simulator/index.js';
import { until } from '../../simulator/waits.js';
import { discoveryConfigs, TOPICS } from '../../src/mqtt/discovery.js';
import { APP_VERSION } from '../../src/version.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { startBridge, unlinkFromPage } from '../support/bridge-harness.js';
import { BROKER_PASSWORD, needsMosquitto, Recorder, retainedOn, TestBroker } from '../../simulator/harness/mosquitto.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const ACCOUNT = '491700000000';
const FAMILY = { name: 'Family', to: '+49 176 0000 0071' };
const CONFIG_FILTER = 'homeassistant/+/whatsapp_bridge/+/config';
const configurationUrl = `homeassistant://hassio/addon/${hostname().replace(/-/g, '_')}/info`;

function expectedConfigs(phone: string, targets = [FAMILY]) {
  const notifyTargets = targets.map((t) => ({ ...t, slug: t.name.toLowerCase() }));
  return new Map(discoveryConfigs({ phone, version: APP_VERSION, configurationUrl, notifyTargets }).map((c) => [c.topic, JSON.stringify(c.payload)]));
}

describe('MQTT entities', { skip: needsMosquitto }, () => {
  let broker: TestBroker;
  let s: BridgeWithReceiver;
  let ha: Recorder;
  let alice: Contact;
  const options = () => ({ ...broker.options(), notify_targets: [FAMILY], api_token: 'api-token-for-the-mqtt-tests', send_interval: 0 });

  before(async () => {
    broker = await TestBroker.start({ persistent: true });
    ha = await Recorder.on(broker, 'homeassistant/#', 'whatsapp_bridge/#');
    s = await pairedBridge({ options: options() });
    alice = s.sim.contact({ phone: '4917600000071', pushName: 'Alice' });
  });
  after(async () => {
    await s.close();
    await ha.close();
    await broker.stop();
  });

  test("the linked account's device and entities: retained, exactly the golden payloads; online; connected", async () => {
    const expected = expectedConfigs(ACCOUNT);
    await ha.waitFor(() => [...expected.keys()].every((topic) => ha.last(topic)), 'every config');
    const retained = await retainedOn(broker, CONFIG_FILTER);
    assert.deepEqual(retained, expected);
    const others = await retainedOn(broker, 'whatsapp_bridge/#');
    assert.equal(others.get(TOPICS.availability), 'online');
    await ha.waitFor(() => ha.last(TOPICS.state)?.includes('"connected":"ON"'), 'the state');
    assert.deepEqual(JSON.parse(ha.last(TOPICS.state)!), {
      connected: 'ON',
      link_state: 'connected',
      deliveries_waiting: 0,
      deliveries_dead: 0,
      last_message: null,
    });
  });

  test('a message fires the event entity (not retained) and moves "last message"', async () => {
    const sent = await s.sim.sendText(alice, 'Is the garage open?');
    const event = await ha.waitFor(() => ha.on(TOPICS.message).find((m) => JSON.parse(m.payload).id === sent.id), 'the event');
    const body = JSON.parse(event.payload);
    assert.equal(body.event_type, 'message');
    assert.equal(body.content, 'Is the garage open?');
    assert.equal(body.sender, `${alice.phone}@s.whatsapp.net`);
    assert.ok(!('raw' in body));
    assert.equal((await retainedOn(broker, TOPICS.message)).size, 0, 'events are never retained');
    await ha.waitFor(() => JSON.parse(ha.last(TOPICS.state)!).last_message, 'last_message set');
    assert.ok(Math.abs(Date.parse(JSON.parse(ha.last(TOPICS.state)!).last_message) - Date.now()) < 10_000);
  });

  test("an edit and a deletion fire their own event types, in the chat's order", async () => {
    const sent = await s.sim.sendText(alice, 'Dinner at 7');
    await s.sim.editMessage(alice, sent.id, 'Dinner at 8');
    await s.sim.deleteMessage(alice, sent.id);
    const events = await ha.waitFor(() => {
      const mine = ha
        .on(TOPICS.message)
        .map((m) => JSON.parse(m.payload))
        .filter((b) => b.id === sent.id);
      return mine.length >= 3 && mine;
    }, 'message, edit and delete');
    assert.deepEqual(
      events.map((b: any) => b.event_type),
      ['message', 'edit', 'delete'],
    );
    assert.equal(events[1].content, 'Dinner at 8');
  });

  test('notify.send_message on notify.whatsapp_family reaches the contact through the send queue', async () => {
    await ha.client.publishAsync(TOPICS.notify('family'), 'The garage is open', { qos: 1 });
    const outgoing = await s.sim.waitForOutgoing((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'The garage is open');
    assert.equal(outgoing.recipient.phone, '4917600000071');
  });

  test('the "Send test delivery" button posts the sample to the webhook', async () => {
    await ha.client.publishAsync(TOPICS.testDelivery, 'PRESS', { qos: 1 });
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.event === 'test'), 10_000, 'the test delivery');
  });

  test('Home Assistant restarting (homeassistant/status online) gets the discovery again', async () => {
    const before = ha.messages.length;
    await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    const expected = expectedConfigs(ACCOUNT);
    await ha.waitFor(() => ha.messages.slice(before).filter((m) => expected.has(m.topic)).length === expected.size, 'the configs again', 8_000);
    await ha.waitFor(() => ha.messages.slice(before).some((m) => m.topic === TOPICS.state), 'the state again');
  });

  test('a broker outage loses nothing: the events follow once it is back, in order; the webhook never waits', async () => {
    // Home Assistant's side keeps its session, so the broker holds what arrives while it reconnects.
    const session = await Recorder.session(broker, 'home-assistant-test', TOPICS.message);
    await session.close();
    await broker.stop();
    await waitForMqttState(s, 'down');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await s.sim.sendText(alice, `during the outage ${i}`)).id);
    await s.receiver.waitFor(() => ids.every((id) => s.receiver.accepted.some((p) => p.id === id)), 15_000, 'the webhook gets them during the outage');
    const status = await (await fetch(new URL('api/status', s.bridge.url))).json();
    assert.match(status.mqtt.error, /lost|refused/);
    assert.ok(status.mqtt.queued >= 5, 'the events wait in the outbox');
    assert.ok(!JSON.stringify(status).includes(BROKER_PASSWORD));

    await broker.resume();
    const back = await Recorder.session(broker, 'home-assistant-test', TOPICS.message);
    await ha.close(); // its connection went with the broker
    ha = await Recorder.on(broker, 'homeassistant/#', 'whatsapp_bridge/#');
    try {
      await back.waitFor(() => ids.every((id) => back.messages.some((m) => JSON.parse(m.payload).id === id)), 'every event after the outage', 20_000);
      const order = [...new Set(back.messages.map((m) => JSON.parse(m.payload).id as string).filter((id) => ids.includes(id)))];
      assert.deepEqual(order, ids);
    } finally {
      await back.close();
    }
    await waitForMqttState(s, 'connected');
  });

  test('the page names the broker and never its password', async () => {
    const page = await (await fetch(s.bridge.url)).text();
    const status = await (await fetch(new URL('api/status', s.bridge.url))).json();
    assert.equal(status.mqtt.broker, `127.0.0.1:${broker.port}`);
    assert.deepEqual(status.mqtt.notify_targets, ['notify.whatsapp_family']);
    assert.equal(status.mqtt.entities, 8);
    for (const text of [page, JSON.stringify(status)]) assert.ok(!text.includes(BROKER_PASSWORD));
  });

  test('a target taken out of notify_targets: its entity is emptied, the others stay', async () => {
    await s.bridge.stop();
    s.bridge = await startBridge({
      waUrl: s.sim.url,
      options: webhookOptions(s.receiver.url, { ...options(), notify_targets: [] }),
      dataDir: s.bridge.dataDir,
    });
    await s.bridge.status.waitForState('connected');
    const expected = expectedConfigs(ACCOUNT, []);
    await ha.waitFor(() => ha.last(`homeassistant/notify/whatsapp_bridge/${ACCOUNT}_notify_family/config`) === '', 'the notify config emptied');
    assert.deepEqual(await retainedOn(broker, CONFIG_FILTER), expected);
  });

  test('unlinked by the phone: the entities stay and say so; another account linking replaces them, no ghosts', async () => {
    await s.sim.unlink();
    // while the new QR waits, the link sensor keeps saying the phone removed the link
    await s.bridge.status.waitForState('qr');
    await ha.waitFor(() => ha.last(TOPICS.state)?.includes('"link_state":"logged_out"'), 'logged_out on the link sensor');
    assert.equal(JSON.parse(ha.last(TOPICS.state)!).connected, 'OFF');
    assert.deepEqual(await retainedOn(broker, CONFIG_FILTER), expectedConfigs(ACCOUNT, []));

    await s.bridge.stop();
    const other = await WaSimulator.start({ account: { phone: '491700000077' } });
    try {
      s.bridge = await startBridge({
        waUrl: other.url,
        options: webhookOptions(s.receiver.url, { ...options(), notify_targets: [] }),
        dataDir: s.bridge.dataDir,
      });
      await other.pairWithQr((await s.bridge.status.waitForState('qr')).qr!);
      await s.bridge.status.waitForState('connected');
      const expected = expectedConfigs('491700000077', []);
      await ha.waitFor(() => [...expected.keys()].every((topic) => ha.last(topic)), 'the new account configs');
      await ha.waitFor(() => [...expectedConfigs(ACCOUNT, []).keys()].every((topic) => ha.last(topic) === ''), "the old account's configs emptied");
      assert.deepEqual(await retainedOn(broker, CONFIG_FILTER), expected);

      // Unlinked on purpose from the page: its entities leave Home Assistant.
      assert.equal((await unlinkFromPage(s.bridge.url)).status, 200);
      await ha.waitFor(() => [...expected.keys()].every((topic) => ha.last(topic) === ''), 'every config emptied');
      assert.equal((await retainedOn(broker, CONFIG_FILTER)).size, 0);
    } finally {
      await s.bridge.stop();
      await other.stop();
    }
  });
});

async function waitForMqttState(s: BridgeWithReceiver, state: string): Promise<void> {
  await until(`MQTT state ${state} on the page`, async () => (await (await fetch(new URL('api/status', s.bridge.url))).json()).mqtt.state === state, 15_000);
}
