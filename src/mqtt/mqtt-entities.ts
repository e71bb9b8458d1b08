import type { NotifyTarget } from '../config/mqtt-options.js';
import { reportedState } from '../events/connection-events.js';
import type { Logger } from '../logging/logger.js';
import type { Db } from '../state/database.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import { DISCOVERY_PREFIX, discoveryConfigs, NODE_ID, TOPICS, type BridgeState } from './discovery.js';

export interface MqttEntitiesDeps {
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  db: Db;
  version: string;
  configurationUrl: string;
  notifyTargets: readonly NotifyTarget[];
  connection(): ConnectionStatus;
  /** Deliveries waiting and dead, over every destination. */
  counts(): { waiting: number; dead: number };
  logger: Logger;
}

/** State updates closer together than this are folded into one (a burst moves the counters a thousand times). */
const STATE_EVERY_MS = 1_000;

/**
 * What Home Assistant holds of this app over MQTT: the discovery configs of the linked account's
 * entities (published only when changed, the ones no longer wanted emptied) and the retained
 * state the sensors read. The account is remembered, so its entities stay (showing
 * `logged_out`, then `qr_required`) while the phone links again; they go when another account
 * links or the page unlinks it.
 */
export class MqttEntities {
  /** Config topics and payloads on the broker this connection: what we published and what it already held. */
  private readonly onBroker = new Map<string, string>();
  private lastState: string | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  private lastMessageAt: string | null;
  private phone: string | null;
  private readonly statements;

  constructor(private readonly deps: MqttEntitiesDeps) {
    this.statements = {
      read: deps.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      write: deps.db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      remove: deps.db.prepare<[string]>('DELETE FROM meta WHERE key = ?'),
    };
    this.phone = this.statements.read.get('mqtt_account')?.value ?? null;
    this.lastMessageAt = this.statements.read.get('last_message_at')?.value ?? null;
  }

  /** The entities that exist now (none before an account is linked). */
  get count(): number {
    return this.wanted().length;
  }

  /** A fresh connection, or Home Assistant came back: every config and the state again. */
  publishAll(): void {
    this.onBroker.clear();
    this.lastState = null;
    this.publishDiscovery(true);
    this.publishState();
  }

  /** A retained config under our node id: one we do not want any more (an old account, a removed target) is emptied. */
  configSeen(topic: string, payload: string): void {
    if (payload === '') return void this.onBroker.delete(topic);
    if (this.onBroker.get(topic) === payload) return;
    this.onBroker.set(topic, payload);
    if (!this.wanted().some((c) => c.topic === topic)) this.clear(topic);
  }

  connectionChanged(status: ConnectionStatus): void {
    const phone = status.account?.phone ?? null;
    if (phone && phone !== this.phone) {
      this.phone = phone;
      this.statements.write.run('mqtt_account', phone);
      this.publishDiscovery(false);
    }
    this.stateChanged();
  }

  messageReceived(at = new Date()): void {
    this.lastMessageAt = at.toISOString();
    this.stateChanged();
  }

  /** The page unlinked the account: its entities leave Home Assistant. */
  forgetAccount(): void {
    this.phone = null;
    this.statements.remove.run('mqtt_account');
    this.publishDiscovery(false);
  }

  /** Counters moved: a state update within a second. */
  stateChanged(): void {
    this.stateTimer ??= setTimeout(() => {
      this.stateTimer = null;
      this.publishState();
    }, STATE_EVERY_MS);
  }

  /** Keeps what is worth keeping across restarts: at stop, not per message, since every write wears the SD card of a small host. */
  stop(): void {
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.stateTimer = null;
    if (this.lastMessageAt) this.statements.write.run('last_message_at', this.lastMessageAt);
  }

  private wanted() {
    if (!this.phone) return [];
    const { version, configurationUrl, notifyTargets } = this.deps;
    return discoveryConfigs({ phone: this.phone, version, configurationUrl, notifyTargets });
  }

  /** Publishes the configs that changed and empties the ones on the broker that are no longer wanted. */
  private publishDiscovery(all: boolean): void {
    const wanted = this.wanted();
    for (const { topic, payload } of wanted) {
      const text = JSON.stringify(payload);
      if (!all && this.onBroker.get(topic) === text) continue;
      this.onBroker.set(topic, text);
      this.send(topic, text, true);
    }
    const topics = new Set(wanted.map((c) => c.topic));
    for (const topic of this.onBroker.keys()) if (!topics.has(topic)) this.clear(topic);
  }

  private clear(topic: string): void {
    this.onBroker.delete(topic);
    this.send(topic, '', true);
  }

  private publishState(): void {
    if (!this.phone) return;
    const status = this.deps.connection();
    const counts = this.deps.counts();
    const state: BridgeState = {
      connected: status.state === 'connected' ? 'ON' : 'OFF',
      // While the QR after a logout waits, the link sensor keeps saying the phone removed the link.
      link_state: status.relinkReason && status.state === 'qr' ? 'logged_out' : (reportedState(status.state) ?? 'disconnected'),
      deliveries_waiting: counts.waiting,
      deliveries_dead: counts.dead,
      last_message: this.lastMessageAt,
    };
    const text = JSON.stringify(state);
    if (text === this.lastState) return;
    this.lastState = text;
    this.send(TOPICS.state, text, true);
  }

  /** A publish that fails (the broker went away) is done again by `publishAll` after the reconnect. */
  private send(topic: string, payload: string, retain: boolean): void {
    this.deps.publish(topic, payload, retain).catch((error: Error) => this.deps.logger.debug(`MQTT publish to ${topic} failed: ${error.message}`));
  }
}

/** Whether a topic is one of our discovery configs. */
export function isOwnConfigTopic(topic: string): boolean {
  const parts = topic.split('/');
  return parts.length === 5 && parts[0] === DISCOVERY_PREFIX && parts[2] === NODE_ID && parts[4] === 'config';
}
