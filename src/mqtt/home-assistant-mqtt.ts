import type { Bus } from '../bus.js';
import type { MqttOptions, NotifyTarget } from '../config/mqtt-options.js';
import type { Destination } from '../delivery/destination.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { Db } from '../state/database.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import { APP_VERSION } from '../version.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import { CONFIG_TOPICS, TOPICS } from './discovery.js';
import { MqttCommands } from './mqtt-commands.js';
import { isOwnConfigTopic, MqttEntities } from './mqtt-entities.js';
import { MqttLink, type MqttLinkStatus } from './mqtt-link.js';

/** The MQTT link and what it publishes in GET api/status: the broker's host:port, never its credentials. */
export type MqttReport = {
  state: MqttLinkStatus['state'];
  broker: string | null;
  error: string | null;
  next_attempt_at: number | null;
  entities: number;
  notify_targets: string[];
  /** Events for the event entity waiting for the broker, and dead ones. */
  queued: number;
  dead: number;
};

/** The report while MQTT is not running (off, or the state file cannot be used). */
export const MQTT_RESTING: MqttReport = {
  state: 'off',
  broker: null,
  error: null,
  next_attempt_at: null,
  entities: 0,
  notify_targets: [],
  queued: 0,
  dead: 0,
};

export interface HomeAssistantMqttDeps {
  options: MqttOptions;
  link: MqttLink;
  /** The event entity's queue (destinations/mqtt-events); null when `mqtt_enabled` is off. */
  eventQueue: Destination | null;
  /** Deliveries waiting and dead over every destination, for the state sensor. */
  deliveries(): { waiting: number; dead: number };
  db: Db;
  bus: Bus;
  /** Where the device's link in Home Assistant leads: the app's page. */
  configurationUrl: string;
  connection(): ConnectionStatus;
  send(request: { to: NotifyTarget['to']; text: string }): Promise<{ id: string }>;
  testDelivery(): Promise<string>;
  logger: Logger;
}

/** Home Assistant announces itself here after a restart (`online`): discovery is sent again. */
const HA_STATUS_TOPIC = 'homeassistant/status';
/** Spread over a few seconds, as Home Assistant asks, so many apps do not answer at once. */
const REDISCOVER_DELAY_MS = [500, 2_500];

/** The one broker link, subscribed to what the entities and commands listen to; started and stopped by whoever made it. */
export function createMqttLink(options: MqttOptions, supervisor: SupervisorClient | null, logger: Logger): MqttLink {
  return new MqttLink({
    enabled: options.enabled,
    broker: options.broker,
    supervisor,
    availabilityTopic: TOPICS.availability,
    subscriptions: [CONFIG_TOPICS, HA_STATUS_TOPIC, TOPICS.notifyFilter, TOPICS.testDelivery],
    logger,
  });
}

/**
 * Home Assistant entities over MQTT discovery: the entities and their state and the commands
 * (notify, button), over the broker link (started by whoever made it, before this). Without a
 * broker it is one log line and a line on the page; nothing else waits for it.
 */
export class HomeAssistantMqtt implements Part {
  private readonly link: MqttLink;
  private readonly entities: MqttEntities;
  private readonly commands: MqttCommands;
  private rediscoverTimer: NodeJS.Timeout | null = null;
  private readonly onConnection = (status: ConnectionStatus) => this.entities.connectionChanged(status);
  private readonly onAccepted = () => this.entities.messageReceived();
  private readonly onDelivery = () => this.entities.stateChanged();
  private readonly onLinkUp = () => this.entities.publishAll();
  private readonly onLinkMessage = (topic: string, payload: Buffer, retained: boolean) => this.received(topic, payload, retained);

  constructor(private readonly deps: HomeAssistantMqttDeps) {
    const { options, logger } = deps;
    this.link = deps.link;
    this.entities = new MqttEntities({
      publish: (topic, payload, retain) => this.link.publish(topic, payload, retain),
      db: deps.db,
      version: APP_VERSION,
      configurationUrl: deps.configurationUrl,
      notifyTargets: options.notifyTargets,
      connection: deps.connection,
      counts: deps.deliveries,
      logger,
    });
    this.commands = new MqttCommands({ notifyTargets: options.notifyTargets, send: deps.send, testDelivery: deps.testDelivery, logger });
  }

  report(): MqttReport {
    const link = this.link.status;
    const counts = this.deps.eventQueue?.status().counts;
    return {
      state: link.state,
      broker: link.broker,
      error: link.error,
      next_attempt_at: link.nextAttemptAt,
      entities: this.entities.count,
      notify_targets: this.deps.options.notifyTargets.map((t) => `notify.whatsapp_${t.slug}`),
      queued: counts?.queued ?? 0,
      dead: counts?.dead ?? 0,
    };
  }

  /** The page unlinks the account: its entities are removed from Home Assistant. */
  forgetAccount(): void {
    this.entities.forgetAccount();
  }

  async start(): Promise<void> {
    const { bus } = this.deps;
    bus.on('connection', this.onConnection);
    bus.on('accepted', this.onAccepted);
    bus.on('delivery', this.onDelivery);
    // First of the link's listeners: the entities' configs are on the broker before queued events follow.
    this.link.prependListener('connect', this.onLinkUp);
    this.link.on('message', this.onLinkMessage);
  }

  async stop(): Promise<void> {
    const { bus } = this.deps;
    bus.off('connection', this.onConnection);
    bus.off('accepted', this.onAccepted);
    bus.off('delivery', this.onDelivery);
    this.link.off('connect', this.onLinkUp);
    this.link.off('message', this.onLinkMessage);
    if (this.rediscoverTimer) clearTimeout(this.rediscoverTimer);
    this.rediscoverTimer = null;
    this.entities.stop();
  }

  private received(topic: string, payload: Buffer, retained: boolean): void {
    if (isOwnConfigTopic(topic)) return this.entities.configSeen(topic, payload.toString('utf8'));
    if (topic === HA_STATUS_TOPIC) {
      if (payload.toString('utf8') !== 'online' || this.rediscoverTimer) return;
      const [min, max] = REDISCOVER_DELAY_MS as [number, number];
      this.rediscoverTimer = setTimeout(
        () => {
          this.rediscoverTimer = null;
          this.entities.publishAll();
        },
        min + Math.random() * (max - min),
      );
      return;
    }
    this.commands.handle(topic, payload, retained);
  }
}
