import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import type { BrokerChoice } from '../config/mqtt-options.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import { findBroker, NoBroker, type BrokerConfig } from './broker-source.js';

/** off: `mqtt_enabled` is off; no_broker: none to be had (the error says what to do); down: lost or refused, retrying. */
export type MqttLinkState = 'off' | 'no_broker' | 'connecting' | 'connected' | 'down';

export interface MqttLinkStatus {
  state: MqttLinkState;
  /** host:port, never the credentials. */
  broker: string | null;
  error: string | null;
  nextAttemptAt: number | null;
}

export interface MqttLinkDeps {
  enabled: boolean;
  /** Where the broker comes from, decided with the options. */
  broker: BrokerChoice;
  /** Asked for the broker when `broker` says so. */
  supervisor: SupervisorClient | null;
  /** Retained `online` after each connect, `offline` as the last will and at stop. */
  availabilityTopic: string;
  /** Topic filters subscribed after each connect. */
  subscriptions: readonly string[];
  logger: Logger;
}

/** What the link tells the entities and the event entity's queue. */
export interface MqttLinkEvents {
  /** A connection is up (also after a reconnect): publish what the broker should hold. */
  connect: [];
  message: [topic: string, payload: Buffer, retained: boolean];
  /** The link's state changed (the page reads `status` when it wants it). */
  status: [MqttLinkStatus];
}

/** Waits between attempts (s), then the last one over and over; +-20 % jitter. */
const BACKOFF_S = [1, 2, 5, 10, 30, 60];
/** A publish whose PUBACK has not come by then fails (and is retried by the outbox). */
const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * The one connection to the MQTT broker: finds the broker (options or Supervisor), connects
 * with a retained last will, reconnects with backoff, and publishes with QoS 1. Nothing else
 * waits for it: a broker that is down only shows on the page and in the log.
 */
export class MqttLink extends EventEmitter<MqttLinkEvents> implements Part {
  private client: MqttClient | null = null;
  private broker: BrokerConfig | null = null;
  private current: MqttLinkStatus;
  private attempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Rejects the publishes waiting for a PUBACK when their connection closes. */
  private closed = new Set<(error: Error) => void>();

  constructor(private readonly deps: MqttLinkDeps) {
    super();
    this.current = { state: deps.enabled ? 'connecting' : 'off', broker: null, error: null, nextAttemptAt: null };
  }

  get status(): MqttLinkStatus {
    return this.current;
  }

  get connected(): boolean {
    return this.current.state === 'connected';
  }

  async start(): Promise<void> {
    if (!this.deps.enabled) return;
    this.running = true;
    void this.attempt();
  }

  /** Says `offline` (retained) and closes; publishes still waiting fail and stay in the outbox. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      await withTimeout(client.publishAsync(this.deps.availabilityTopic, 'offline', { qos: 1, retain: true }), 2_000).catch(() => undefined);
    }
    await withTimeout(client.endAsync(), 2_000).catch(() => client.end(true));
  }

  /** QoS 1: resolves on the broker's PUBACK; rejects at once while not connected. */
  async publish(topic: string, payload: string, retain: boolean): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error(this.current.error ?? 'not connected to the MQTT broker');
    let reject!: (error: Error) => void;
    const closed = new Promise<never>((_, r) => (reject = r));
    this.closed.add(reject);
    try {
      await withTimeout(Promise.race([client.publishAsync(topic, payload, { qos: 1, retain }), closed]), PUBLISH_TIMEOUT_MS);
    } finally {
      this.closed.delete(reject);
    }
  }

  private async attempt(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    try {
      this.broker ??= await findBroker(this.deps.broker, this.deps.supervisor);
    } catch (error) {
      if (error instanceof NoBroker && error.kind === 'none') {
        this.set({ state: 'no_broker', broker: null, error: error.message, nextAttemptAt: null });
        this.deps.logger.warn(`Home Assistant entities over MQTT are off: ${error.message}.`);
        return;
      }
      return this.retry((error as Error).message);
    }
    const broker = this.broker;
    this.set({ state: 'connecting', broker: `${broker.host}:${broker.port}`, error: this.current.error, nextAttemptAt: null });
    const { connect } = loadMqtt();
    const client = connect({
      host: broker.host,
      port: broker.port,
      protocol: broker.ssl ? 'mqtts' : 'mqtt',
      protocolVersion: 4,
      username: broker.username ?? undefined,
      password: broker.password ?? undefined,
      clientId: `whatsapp_bridge_${randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: 0, // reconnects are ours: with backoff, and a fresh broker lookup
      // Else mqtt-packet builds 65,536 two-byte Buffers for message ids on the first write: 6 MB of heap at rest.
      writeCache: false,
      connectTimeout: 10_000,
      will: { topic: this.deps.availabilityTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    client.on('error', () => undefined); // errors end in 'close', handled there
    try {
      await connected(client);
    } catch (error) {
      client.end(true);
      if (broker.source === 'supervisor') this.broker = null; // ask again: the Mosquitto app may have new credentials
      return this.retry(explain(error as Error & { code?: number }));
    }
    if (!this.running) return void client.end(true);
    this.adopt(client);
  }

  private adopt(client: MqttClient): void {
    this.client = client;
    this.attempts = 0;
    client.on('message', (topic, payload, packet) => this.emit('message', topic, payload, packet.retain));
    client.once('close', () => {
      for (const reject of this.closed) reject(new Error('the connection to the MQTT broker closed'));
      this.closed.clear();
      if (this.client !== client) return;
      this.client = null;
      client.end(true);
      if (this.running) this.retry('the connection to the MQTT broker was lost');
    });
    this.set({ state: 'connected', broker: this.current.broker, error: null, nextAttemptAt: null });
    this.deps.logger.info(`Connected to the MQTT broker at ${this.current.broker}: Home Assistant entities are published.`);
    void (async () => {
      await client.publishAsync(this.deps.availabilityTopic, 'online', { qos: 1, retain: true });
      if (this.deps.subscriptions.length > 0) await client.subscribeAsync([...this.deps.subscriptions], { qos: 1 });
      this.emit('connect');
    })().catch(() => undefined); // a failure here closes the connection, and the reconnect does it again
  }

  private retry(reason: string): void {
    if (!this.running) return;
    const base = BACKOFF_S[Math.min(this.attempts, BACKOFF_S.length - 1)]! * 1000;
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    this.attempts++;
    // One line for each new reason, not one per attempt.
    if (reason !== this.current.error) this.deps.logger.warn(`MQTT broker${this.current.broker ? ` at ${this.current.broker}` : ''}: ${reason}; trying again.`);
    this.set({ state: 'down', broker: this.current.broker, error: reason, nextAttemptAt: Date.now() + delay });
    this.timer = setTimeout(() => void this.attempt(), delay);
  }

  private set(status: MqttLinkStatus): void {
    const changed = status.state !== this.current.state;
    this.current = status;
    if (changed) this.emit('status', status);
  }
}

/**
 * MQTT.js, loaded only once there is a broker (an app without one does not pay its memory at
 * rest), with `require`: `import()`
 * of its CommonJS entry makes Node's ESM loader analyse every module it re-exports, which cost
 * about 7 MB more RSS than `require` (docs/performance.md, "Idle memory").
 */
function loadMqtt(): typeof import('mqtt') {
  return createRequire(import.meta.url)('mqtt') as typeof import('mqtt');
}

/** Resolves on the CONNACK; rejects on a refusal, a closed socket or silence (mqtt.js would wait for ever). */
function connected(client: MqttClient): Promise<void> {
  // Only our own listeners are removed afterwards: mqtt.js keeps some of its own on these events.
  let done = () => {};
  return new Promise<void>((resolve, reject) => {
    const onConnect = () => resolve();
    const onClose = () => reject(new Error('the broker closed the connection'));
    const timer = setTimeout(() => reject(new Error('no answer from the broker within 15 s')), 15_000);
    client.on('connect', onConnect).on('error', reject).on('close', onClose);
    done = () => {
      clearTimeout(timer);
      client.off('connect', onConnect).off('error', reject).off('close', onClose);
    };
  }).finally(() => done());
}

/** What a refused or failed connect means, in the user's words (never the password). */
function explain(error: Error & { code?: number }): string {
  if (error.code === 4 || error.code === 5 || /not authori[sz]ed|bad user ?name or password/i.test(error.message)) {
    return "the broker refused the user name or password (check 'mqtt_username' and 'mqtt_password', or leave 'mqtt_host' empty to use the Mosquitto app's)";
  }
  if (/ECONNREFUSED/.test(error.message)) return 'the broker refused the connection (is it running?)';
  if (/ENOTFOUND|EAI_AGAIN/.test(error.message)) return 'the broker host name is not known';
  return `could not connect (${error.message})`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the MQTT broker within ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
