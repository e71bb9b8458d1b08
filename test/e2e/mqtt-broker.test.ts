// Where the MQTT broker comes from and what happens when there is none, it refuses the
// password, or the app is killed: a real mosquitto, a fake Supervisor on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { TOPICS } from '../../src/mqtt/discovery.js';
import { BROKER_PASSWORD, BROKER_USER, needsMosquitto, Recorder, retainedOn, TestBroker } from '../../simulator/harness/mosquitto.js';
import { pairedBridge, pairedDaemon, type BridgeWithReceiver } from '../support/paired-bridge.js';
import { WaSimulator } from '../../simulator/index.js';
import { until } from '../../simulator/waits.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';

const SUPERVISOR_TOKEN = 'supervisor-token-for-the-mqtt-tests';

/** A Supervisor that answers GET /services/mqtt as the real one does (with the Mosquitto app, or 400 without). */
async function fakeSupervisor(service: { status: number; body: unknown }) {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url} ${req.headers.authorization === `Bearer ${SUPERVISOR_TOKEN}` ? 'token' : 'no token'}`);
    const reply = req.url === '/services/mqtt' ? service : { status: 200, body: {} };
    res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    asked,
    env: { SUPERVISOR_TOKEN, SUPERVISOR_URL: `http://127.0.0.1:${port}` },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The page's status once its MQTT section passes `matches`. */
async function mqttStatus(s: BridgeWithReceiver, matches: (mqtt: any) => boolean): Promise<any> {
  let last: unknown;
  return until(
    'the MQTT status',
    async () => {
      const status = await (await fetch(new URL('api/status', s.bridge.url))).json();
      last = status.mqtt;
      return matches(status.mqtt) ? status : undefined;
    },
    10_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}: it stayed ${JSON.stringify(last)}`);
  });
}

/** A message still reaches the webhook: nothing waits for MQTT. */
async function webhookStillWorks(s: BridgeWithReceiver): Promise<void> {
  const { id } = await s.sim.sendText(s.sim.contact({ phone: '4917600000081', pushName: 'Bob' }), 'still here?');
  await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === id), 10_000, 'the webhook delivery');
}

test('the broker the Supervisor hands out (/services/mqtt) is used, with its credentials', { skip: needsMosquitto }, async () => {
  const broker = await TestBroker.start();
  const supervisor = await fakeSupervisor({
    status: 200,
    body: {
      result: 'ok',
      data: { addon: 'core_mosquitto', host: '127.0.0.1', port: broker.port, ssl: false, username: BROKER_USER, password: BROKER_PASSWORD, protocol: '3.1.1' },
    },
  });
  const s = await pairedBridge({ env: supervisor.env });
  try {
    const status = await mqttStatus(s, (m) => m.state === 'connected');
    assert.equal(status.mqtt.broker, `127.0.0.1:${broker.port}`);
    assert.ok(supervisor.asked.includes('GET /services/mqtt token'));
    const configs = await retainedOn(broker, 'homeassistant/+/whatsapp_bridge/+/config');
    assert.equal(configs.size, 7, 'every entity but notify ones (none configured)');
    assert.ok(!JSON.stringify(status).includes(BROKER_PASSWORD));
    await webhookStillWorks(s);
  } finally {
    await s.close();
    await supervisor.close();
    await broker.stop();
  }
});

test('no broker at all (the Supervisor answers 400): one line on the page, nothing queued for MQTT, the rest works', async () => {
  const supervisor = await fakeSupervisor({ status: 400, body: { result: 'error', message: 'Service not enabled' } });
  const s = await pairedBridge({ env: supervisor.env });
  try {
    const status = await mqttStatus(s, (m) => m.state === 'no_broker');
    assert.match(status.mqtt.error, /no MQTT broker in Home Assistant: install and start the Mosquitto broker app/);
    await webhookStillWorks(s);
    const db = new Database(join(s.bridge.dataDir, 'whatsapp-bridge.db'), { readonly: true });
    try {
      assert.equal(db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE destination = 'mqtt'").get()!.n, 0);
    } finally {
      db.close();
    }
  } finally {
    await s.close();
    await supervisor.close();
  }
});

test('a broker that refuses the password: the page says so and which options to check; messages still flow', { skip: needsMosquitto }, async () => {
  const broker = await TestBroker.start();
  const wrong = 'not-the-broker-password';
  const s = await pairedBridge({ options: broker.options(wrong) });
  try {
    const status = await mqttStatus(s, (m) => m.state === 'down' && m.error);
    assert.match(status.mqtt.error, /refused the user name or password \(check 'mqtt_username' and 'mqtt_password'/);
    assert.ok(status.mqtt.next_attempt_at > Date.now() - 1000, 'it keeps trying, with backoff');
    assert.ok(!JSON.stringify(status).includes(wrong));
    await webhookStillWorks(s);
  } finally {
    await s.close();
    await broker.stop();
  }
});

test('the daemon: no password in its log; killed, the broker says offline (the retained last will)', { skip: needsMosquitto }, async () => {
  const broker = await TestBroker.start();
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const watch = await Recorder.on(broker, TOPICS.availability);
  try {
    const daemon = await pairedDaemon({ sim, receiver, options: broker.options() });
    await watch.waitFor(() => watch.last(TOPICS.availability) === 'online', 'online');
    await daemon.waitForLog(/Connected to the MQTT broker at 127\.0\.0\.1:\d+/);
    await daemon.kill('SIGKILL');
    await watch.waitFor(() => watch.last(TOPICS.availability) === 'offline', 'offline after the kill');
    assert.equal((await retainedOn(broker, TOPICS.availability)).get(TOPICS.availability), 'offline');
    assert.ok(daemon.lines.length > 5);
    assert.ok(!daemon.lines.join('\n').includes(BROKER_PASSWORD), 'the broker password is never logged');
  } finally {
    await watch.close();
    await sim.stop();
    await receiver.close();
    await broker.stop();
  }
});

test('the daemon without any broker (not under Home Assistant, no mqtt_host): one log line saying what to set', async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  try {
    const daemon = await pairedDaemon({ sim, receiver });
    const line = await daemon.waitForLog(/entities over MQTT are off/);
    assert.match(line, /set 'mqtt_host'.*or turn 'mqtt_enabled' off/);
    assert.equal(daemon.lines.filter((l) => /MQTT/.test(l)).length, 1);
    assert.equal((await daemon.kill('SIGTERM')).code, 0);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});
