import type { MqttOptions } from '../config/mqtt-options.js';
import type { Destination, DestinationContext } from '../delivery/destination.js';
import type { Part } from '../lifecycle.js';
import type { Db } from '../state/database.js';
import { APP_VERSION } from '../version.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import { CONFIG_TOPICS, TOPICS } from './discovery.js';
import { MqttCommands } from './mqtt-commands.js';
import { eventEntityBody, mqttEventDestination } from './mqtt-destination.js';
import { isOwnConfigTopic, MqttEntities } from './mqtt-entities.js';
import { MqttLink, type MqttLinkStatus } from './mqtt-link.js';

export interface HomeAssistantMqttDeps {
  options: MqttOptions;
  supervisor: { url: string; token: string } | null;
  context: DestinationContext;
  db: Db;
  /** Where the device's link in Home Assistant leads: the app's page. */
  configurationUrl: string;
  connection(): ConnectionStatus;
  /** Every destination, for the counters of waiting and dead deliveries. */
  destinations(): readonly Destination[];
  send(request: { to: string; text: string }): Promise<{ id: string }>;
  testDelivery(): Promise<string>;
}

/** Home Assistant announces itself here after a restart (`online`): discovery is sent again. */
const HA_STATUS_TOPIC = 'homeassistant/status';
/** Spread over a few seconds, as Home Assistant asks, so many apps do not answer at once. */
const REDISCOVER_DELAY_MS = [500, 2_500];

/**
 * Home Assistant entities over MQTT discovery: the broker link, the entities and their state,
 * the commands (notify, button) and the event entity's destination. Without a broker it is one
 * log line and a line on the page; nothing else waits for it.
 */
export class HomeAssistantMqtt implements Part {
  readonly link: MqttLink;
  /** The event entity's queue; null when `mqtt_enabled` is off. */
  readonly destination: Destination | null;
  private readonly entities: MqttEntities;
  private readonly commands: MqttCommands;
  private rediscoverTimer: NodeJS.Timeout | null = null;
  private readonly onConnection = (status: ConnectionStatus) => this.entities.connectionChanged(status);
  private readonly onAccepted = () => this.entities.messageReceived();
  private readonly onDelivery = () => this.entities.stateChanged();

  constructor(private readonly deps: HomeAssistantMqttDeps) {
    const { options, context } = deps;
    this.link = new MqttLink({
      enabled: options.enabled,
      manual: options.broker,
      supervisor: deps.supervisor,
      availabilityTopic: TOPICS.availability,
      subscriptions: [CONFIG_TOPICS, HA_STATUS_TOPIC, TOPICS.notifyFilter, TOPICS.testDelivery],
      onConnect: () => this.connected(),
      onMessage: (topic, payload, retained) => this.received(topic, payload, retained),
      onStatus: (status) => this.linkChanged(status),
      logger: context.logger,
    });
    this.entities = new MqttEntities({
      publish: (topic, payload, retain) => this.link.publish(topic, payload, retain),
      db: deps.db,
      version: APP_VERSION,
      configurationUrl: deps.configurationUrl,
      notifyTargets: options.notifyTargets,
      connection: deps.connection,
      counts: () => this.counts(),
      logger: context.logger,
    });
    this.commands = new MqttCommands({ notifyTargets: options.notifyTargets, send: deps.send, testDelivery: deps.testDelivery, logger: context.logger });
    // Nothing is queued for the event entity while there is no broker to be had.
    this.destination = options.enabled
      ? mqttEventDestination(this.link, { ...context }, (event) => (this.link.status.state === 'no_broker' ? null : eventEntityBody(event)))
      : null;
  }

  get status() {
    const counts = this.destination?.status().counts;
    return {
      ...this.link.status,
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
    if (!this.destination) this.discardQueued('is off');
    const { bus } = this.deps.context;
    bus.on('connection', this.onConnection);
    bus.on('accepted', this.onAccepted);
    bus.on('delivery', this.onDelivery);
    await this.link.start();
  }

  async stop(): Promise<void> {
    const { bus } = this.deps.context;
    bus.off('connection', this.onConnection);
    bus.off('accepted', this.onAccepted);
    bus.off('delivery', this.onDelivery);
    if (this.rediscoverTimer) clearTimeout(this.rediscoverTimer);
    this.rediscoverTimer = null;
    this.entities.stop();
    await this.link.stop();
  }

  private connected(): void {
    this.entities.publishAll();
    this.destination?.retryNow();
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

  private linkChanged(status: MqttLinkStatus): void {
    if (status.state === 'no_broker') this.discardQueued('has no broker');
  }

  private discardQueued(why: string): void {
    const dropped = this.deps.context.outbox.discard('mqtt');
    if (dropped > 0) this.deps.context.logger.info(`MQTT ${why}: dropped ${dropped} events queued for the WhatsApp message entity.`);
  }

  private counts(): { waiting: number; dead: number } {
    let waiting = 0;
    let dead = 0;
    for (const destination of this.deps.destinations()) {
      const { counts } = destination.status();
      waiting += counts.queued;
      dead += counts.dead;
    }
    return { waiting, dead };
  }
}
