// Home Assistant MQTT discovery payloads (one config topic per entity). Built as plain data with
// a fixed key order, so a payload only changes when something in it changed and the tests can
// compare them with golden files.
import type { NotifyTarget } from '../config/mqtt-options.js';
import type { ConnectionPayload } from '../payload/event-payload.js';
import { topicLevel } from '../text/harmless-text.js';

export const DISCOVERY_PREFIX = 'homeassistant';
/** Every config topic of this app: `homeassistant/<component>/whatsapp_bridge/<object id>/config`. */
export const NODE_ID = 'whatsapp_bridge';
export const CONFIG_TOPICS = `${DISCOVERY_PREFIX}/+/${NODE_ID}/+/config`;

/**
 * The app's own topics. One account per app, so they need no account in them. Nothing a contact
 * sends is ever part of a topic; the levels built from values (the account's phone digits, a
 * notify target's slug) pass topicLevel, so not even those could add a level or a wildcard.
 */
export const TOPICS = {
  availability: 'whatsapp_bridge/availability',
  /** Retained JSON of every sensor's value. */
  state: 'whatsapp_bridge/state',
  /** The event entity's events (never retained: Home Assistant ignores retained events). */
  message: 'whatsapp_bridge/message',
  testDelivery: 'whatsapp_bridge/test_delivery',
  notify: (slug: string) => `whatsapp_bridge/notify/${topicLevel(slug)}`,
  notifyFilter: 'whatsapp_bridge/notify/+',
} as const;

/**
 * What the event entity fires (`event_type`): the kinds the bridge forwards, a vote apart from
 * other messages, `media` for a file that followed its message, `assist` for Assist's answer.
 */
export const EVENT_TYPES = ['message', 'media', 'edit', 'delete', 'poll_vote', 'status', 'assist'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LINK_STATES: readonly ConnectionPayload['state'][] = ['connected', 'disconnected', 'qr_required', 'logged_out', 'passkey_required'];

/** What the discovery needs to know. */
export interface DiscoveryInput {
  /** The linked account's phone digits: the unique ids' root. */
  phone: string;
  version: string;
  /** Where the app's page opens in Home Assistant. */
  configurationUrl: string;
  notifyTargets: readonly NotifyTarget[];
}

export interface DiscoveryConfig {
  topic: string;
  payload: Record<string, unknown>;
}

const ORIGIN_URL = 'https://github.com/whatsapp-bridge/whatsapp-bridge';

/** Every entity's config, in a stable order. */
export function discoveryConfigs(input: DiscoveryInput): DiscoveryConfig[] {
  const id = `whatsapp_bridge_${input.phone}`;
  const common = {
    availability_topic: TOPICS.availability,
    device: {
      identifiers: [id],
      name: `WhatsApp Bridge (+${input.phone})`,
      manufacturer: 'WhatsApp Bridge',
      model: 'WhatsApp Bridge app',
      sw_version: input.version,
      configuration_url: input.configurationUrl,
    },
    origin: { name: 'WhatsApp Bridge', sw_version: input.version, support_url: ORIGIN_URL },
  };
  // `key` is unique among all entities (notify ones get a prefix); the entity id ends in `name`.
  const entity = (component: string, key: string, fields: Record<string, unknown>, name = key): DiscoveryConfig => ({
    topic: `${DISCOVERY_PREFIX}/${component}/${NODE_ID}/${topicLevel(`${input.phone}_${key}`)}/config`,
    payload: { ...fields, unique_id: `${id}_${key}`, default_entity_id: `${component}.whatsapp_${name}`, ...common },
  });
  const sensor = (key: string, fields: Record<string, unknown>) =>
    entity('sensor', key, { ...fields, state_topic: TOPICS.state, value_template: `{{ value_json.${key} }}` });

  return [
    entity('binary_sensor', 'connected', {
      name: 'Connected',
      device_class: 'connectivity',
      entity_category: 'diagnostic',
      state_topic: TOPICS.state,
      value_template: '{{ value_json.connected }}',
      payload_on: 'ON',
      payload_off: 'OFF',
    }),
    sensor('link_state', { name: 'Link', icon: 'mdi:whatsapp', device_class: 'enum', options: [...LINK_STATES] }),
    sensor('deliveries_waiting', { name: 'Deliveries waiting', icon: 'mdi:tray-full', state_class: 'measurement', entity_category: 'diagnostic' }),
    sensor('deliveries_dead', { name: 'Dead deliveries', icon: 'mdi:email-alert', state_class: 'measurement', entity_category: 'diagnostic' }),
    sensor('last_message', { name: 'Last message received', device_class: 'timestamp' }),
    entity('event', 'message', { name: 'WhatsApp message', icon: 'mdi:message-text', state_topic: TOPICS.message, event_types: [...EVENT_TYPES] }),
    ...input.notifyTargets.map((target) =>
      entity('notify', `notify_${target.slug}`, { name: target.name, icon: 'mdi:whatsapp', command_topic: TOPICS.notify(target.slug) }, target.slug),
    ),
    entity('button', 'test_delivery', {
      name: 'Send test delivery',
      icon: 'mdi:send-check',
      entity_category: 'diagnostic',
      command_topic: TOPICS.testDelivery,
      payload_press: 'PRESS',
    }),
  ];
}

/** The retained JSON on TOPICS.state; the sensors' templates read it. */
export interface BridgeState {
  connected: 'ON' | 'OFF';
  link_state: ConnectionPayload['state'];
  deliveries_waiting: number;
  deliveries_dead: number;
  /** ISO 8601, or null before the first message. */
  last_message: string | null;
}
