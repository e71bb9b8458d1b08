import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { readMqttOptions, slugOf } from '../src/config/mqtt-options.js';
import { OptionReader } from '../src/config/option-reader.js';
import { discoveryConfigs, EVENT_TYPES, LINK_STATES, TOPICS, type BridgeState } from '../src/mqtt/discovery.js';
import { eventEntityBody } from '../src/destinations/mqtt-events/mqtt-events-unit.js';
import { samplePayload } from '../src/payload/sample-payload.js';

const GOLDEN = JSON.parse(readFileSync(new URL('./fixtures/mqtt-discovery.golden.json', import.meta.url), 'utf8'));
const INPUT = {
  phone: '491700000000',
  version: '0.4.0',
  configurationUrl: 'homeassistant://hassio/addon/local_whatsapp_bridge/info',
  notifyTargets: [{ name: 'Family', slug: 'family', to: '+49 170 1234567' }],
};

/**
 * Home Assistant's MQTT platform schemas, as far as discovery is concerned (../shared/notes/
 * ha-mqtt-and-stt.md): the keys each platform requires, and the values some keys may take.
 */
const REQUIRED: Record<string, string[]> = {
  binary_sensor: ['state_topic'],
  sensor: ['state_topic'],
  event: ['state_topic', 'event_types'],
  notify: ['command_topic'],
  button: ['command_topic'],
};
const ENTITY_CATEGORIES = ['config', 'diagnostic'];
const ID_CHARS = /^[a-zA-Z0-9_-]+$/;

describe('MQTT discovery payloads', () => {
  const configs = discoveryConfigs(INPUT);

  test('match the golden payloads exactly, key order included', () => {
    assert.equal(JSON.stringify(configs, null, 2), JSON.stringify(GOLDEN, null, 2));
  });

  test("follow the platforms' schemas: required keys, ids, topics, device and origin", () => {
    const uniqueIds = new Set<string>();
    for (const { topic, payload } of configs) {
      const [prefix, component, node, object, last] = topic.split('/');
      assert.equal(prefix, 'homeassistant');
      assert.equal(last, 'config');
      assert.ok(REQUIRED[component!], `known platform ${component}`);
      assert.match(node!, ID_CHARS);
      assert.match(object!, ID_CHARS, `object id of ${topic}`);
      for (const key of REQUIRED[component!]!) assert.ok(payload[key] !== undefined, `${topic} has ${key}`);
      assert.match(String(payload.unique_id), ID_CHARS);
      assert.ok(!uniqueIds.has(`${component}:${payload.unique_id}`), `unique id ${payload.unique_id} used once`);
      uniqueIds.add(`${component}:${payload.unique_id}`);
      assert.match(String(payload.default_entity_id), new RegExp(`^${component}\\.[a-z0-9_]+$`));
      assert.ok(!('object_id' in payload), 'object_id was replaced by default_entity_id');
      if ('entity_category' in payload) assert.ok(ENTITY_CATEGORIES.includes(String(payload.entity_category)));
      const device = payload.device as Record<string, unknown>;
      assert.deepEqual(device.identifiers, ['whatsapp_bridge_491700000000']);
      assert.equal(device.sw_version, '0.4.0');
      assert.match(String(device.configuration_url), /^homeassistant:\/\/hassio\/addon\//);
      assert.equal((payload.origin as Record<string, unknown>).name, 'WhatsApp Bridge');
      assert.equal(payload.availability_topic, TOPICS.availability);
      for (const key of ['state_topic', 'command_topic']) if (payload[key]) assert.match(String(payload[key]), /^whatsapp_bridge\/[a-z_/]+$/);
    }
  });

  test('has the entities the issue names, and a notify entity per target with its entity id', () => {
    const ids = configs.map((c) => c.payload.default_entity_id);
    assert.deepEqual(ids, [
      'binary_sensor.whatsapp_connected',
      'sensor.whatsapp_link_state',
      'sensor.whatsapp_deliveries_waiting',
      'sensor.whatsapp_deliveries_dead',
      'sensor.whatsapp_last_message',
      'event.whatsapp_message',
      'notify.whatsapp_family',
      'button.whatsapp_test_delivery',
    ]);
    const event = configs.find((c) => c.topic.includes('/event/'))!.payload;
    assert.deepEqual(event.event_types, ['message', 'media', 'edit', 'delete', 'poll_vote', 'status', 'assist']);
    assert.deepEqual(configs.find((c) => c.topic.includes('link_state'))!.payload.options, [...LINK_STATES]);
    assert.equal(configs.find((c) => c.topic.includes('/binary_sensor/'))!.payload.device_class, 'connectivity');
  });

  test('a notify target named like another entity keeps its own unique id and topic', () => {
    const clash = discoveryConfigs({ ...INPUT, notifyTargets: [{ name: 'message', slug: 'message', to: '+491701234567' }] });
    const topics = clash.map((c) => c.topic);
    assert.equal(new Set(topics).size, topics.length);
    assert.equal(clash.find((c) => c.topic.includes('/notify/'))!.payload.default_entity_id, 'notify.whatsapp_message');
  });

  test('the retained state stays under the 255 characters a sensor state may have, per value', () => {
    const state: BridgeState = {
      connected: 'ON',
      link_state: 'passkey_required',
      deliveries_waiting: 1_000_000,
      deliveries_dead: 1_000_000,
      last_message: new Date().toISOString(),
    };
    for (const value of Object.values(state)) assert.ok(String(value).length <= 255);
  });
});

describe('the event entity body', () => {
  test('carries event_type and every payload field but raw', () => {
    const payload = { ...samplePayload(null), event: 'message' as const };
    const body = JSON.parse(eventEntityBody({ payload, rawType: 'conversation' })!);
    assert.equal(body.event_type, 'message');
    assert.equal(body.content, payload.content);
    assert.equal(body.sender, payload.sender);
    assert.ok(!('raw' in body) && !('event' in body));
    assert.ok(EVENT_TYPES.includes(body.event_type));
  });

  test('a poll vote is its own event type; connection changes are not events of the entity', () => {
    const vote = { ...samplePayload(null), event: 'message' as const, type: 'poll_vote' as const };
    assert.equal(JSON.parse(eventEntityBody({ payload: vote, rawType: null })!).event_type, 'poll_vote');
    const connection = { event: 'connection' as const, state: 'connected' as const, reason: null, code: null, phone: null, at: '' };
    assert.equal(eventEntityBody({ payload: connection, rawType: null }), null);
  });
});

describe('MQTT options', () => {
  const parse = (raw: Record<string, unknown>) => {
    const read = new OptionReader(raw, { supervisorAvailable: true });
    const options = readMqttOptions(read);
    return { options, problems: read.problems };
  };

  test('default: on, the Supervisor broker, no notify targets', () => {
    assert.deepEqual(parse({}), { options: { enabled: true, broker: { from: 'supervisor' }, notifyTargets: [] }, problems: [] });
  });

  test('an external broker, its port defaulting to 1883', () => {
    const { options } = parse({ mqtt_host: '192.168.1.10', mqtt_username: 'u', mqtt_password: 'p' });
    assert.deepEqual(options.broker, { from: 'options', host: '192.168.1.10', port: 1883, username: 'u', password: 'p' });
  });

  test('bad entries are one line each, saying what to fix; the good ones stay', () => {
    const { options, problems } = parse({
      mqtt_host: 'mqtt://broker:1883',
      mqtt_password: 12345,
      notify_targets: [
        { name: 'Family group', to: '+49 170 1234567' },
        { name: '', to: '+49 170 1234567' },
        { name: 'Bad', to: 'somebody' },
        { name: 'family-group', to: '120363000000000000@g.us' },
      ],
    });
    assert.deepEqual(options.broker, { from: 'supervisor' });
    assert.deepEqual(options.notifyTargets, [{ name: 'Family group', slug: 'family_group', to: '+49 170 1234567' }]);
    assert.equal(problems.length, 4);
    assert.match(problems[0]!.message, /mqtt_host.*host name or address/);
    assert.match(problems[1]!.message, /entry 2 needs a name/);
    assert.match(problems[2]!.message, /entry 3 \('bad'\): 'to' must be a phone number/);
    assert.match(problems[3]!.message, /'family_group' is used twice/);
    assert.ok(
      problems.every((p) => !p.message.includes('12345')),
      'a password is never echoed',
    );
  });

  test("an entry may name a group by its subject in 'group' instead of 'to'; both, or an empty group, is refused", () => {
    const { options, problems } = parse({
      notify_targets: [
        { name: 'Family', group: ' Family ' },
        { name: 'Both', to: '+49 170 1234567', group: 'Family' },
        { name: 'Empty', group: '' },
      ],
    });
    assert.deepEqual(options.notifyTargets, [{ name: 'Family', slug: 'family', to: { group: 'Family' } }]);
    assert.equal(problems.length, 2);
    assert.ok(problems.every((p) => /give 'group' with the group's subject instead of 'to'/.test(p.message)));
  });

  test('a wrong password type is refused without echoing it', () => {
    const { problems } = parse({ mqtt_host: 'broker', mqtt_password: ['secret-value'] });
    assert.equal(problems.length, 1);
    assert.ok(!problems[0]!.message.includes('secret-value'));
  });

  test('names become entity-id slugs the way Home Assistant makes them', () => {
    assert.equal(slugOf('Family group'), 'family_group');
    assert.equal(slugOf('Müller & Söhne'), 'muller_sohne');
    assert.equal(slugOf('  --  '), '');
  });
});
