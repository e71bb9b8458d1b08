import { pino } from 'pino';
import { Bus } from '../../../src/bus.js';
import type { DeliveryAttempt } from '../../../src/bus-events.js';
import { chatPage } from '../../../src/directory/chat-list.js';
import type { DirectoryContact, DirectoryGroup } from '../../../src/directory/directory-store.js';
import { IngressServer, type IngressActions } from '../../../src/web/ingress-server.js';
import type { StatusReport } from '../../../src/web/status-report.js';
import { INITIAL_STATUS } from '../../../src/whatsapp/connection-status.js';

/** A status as the bridge reports it, with every field at its resting value. */
export function baseStatus(change: Partial<StatusReport> = {}): StatusReport {
  const status: StatusReport = {
    version: '0.1.0',
    now: Date.now(),
    state: 'connecting',
    qr: null,
    qr_expires_at: null,
    pairing_code: null,
    me: null,
    last_disconnect: null,
    relink_reason: null,
    next_reconnect_at: null,
    passkey: null,
    webhook: {
      state: 'on',
      enabled: true,
      url_host: 'homeassistant:8123',
      paused: null,
      counters: { delivered: 0, queued: 0, retrying: 0, dead: 0, oldest_queued_age_s: null },
    },
    ha_events: { enabled: false, paused: null, delivered: 0, queued: 0, dead: 0 },
    destinations: [],
    api: { port: 8080, token_source: 'generated', token_hint: '…a1b2' },
    media: { download: true, folder: '/media/whatsapp', files: 0, bytes: 0, pending: 0, last_error: null },
    voice_to_text: { entity: null, last_error: null },
    assist: { on: false, chats: [], agent: null, last: null },
    mqtt: { state: 'off', broker: null, error: null, next_attempt_at: null, entities: 0, notify_targets: [], queued: 0, dead: 0 },
    storage: null,
    problems: [],
    ...change,
  };
  return change.destinations ? status : { ...status, destinations: rowsOf(status) };
}

/** The destinations' rows as the bridge derives them, from the webhook's, Home Assistant's and MQTT's own fields. */
function rowsOf({ webhook, ha_events: ha, mqtt }: StatusReport): StatusReport['destinations'] {
  const { delivered, queued, retrying, dead } = webhook.counters;
  return [
    { name: 'webhook', label: 'Webhook', enabled: webhook.enabled, target: webhook.url_host, paused: webhook.paused, delivered, queued, retrying, dead },
    {
      name: 'ha_event',
      label: 'Home Assistant',
      enabled: ha.enabled,
      target: null,
      paused: ha.paused,
      delivered: ha.delivered,
      queued: ha.queued,
      retrying: 0,
      dead: ha.dead,
    },
    {
      name: 'mqtt',
      label: 'MQTT event',
      enabled: mqtt.state !== 'off',
      target: null,
      paused: null,
      delivered: 0,
      queued: mqtt.queued,
      retrying: 0,
      dead: mqtt.dead,
    },
  ];
}

/**
 * The real ingress server (routes, static page, SSE) in front of scripted answers instead of a
 * bridge: for the states a simulator cannot easily produce (440, 403, a paused receiver...).
 */
export class FakeApp {
  readonly bus = new Bus();
  readonly posts: Array<{ path: string; body: unknown }> = [];
  current: StatusReport = baseStatus();
  deliveries: DeliveryAttempt[] = [];
  /** What "Send test" answers. */
  testResult = { delivered: true, status: 200 as number | null, error: null as string | null, durationMs: 12 };
  /** What the chat directory holds (the Chats card lists them through the real chatPage). */
  groups: DirectoryGroup[] = [];
  contacts: DirectoryContact[] = [];
  port = 0;
  private server: IngressServer | null = null;
  private readonly actions: IngressActions;

  constructor() {
    const record = (path: string, body: unknown = {}): void => void this.posts.push({ path, body });
    const actions: IngressActions = {
      status: () => this.current,
      recentDeliveries: (limit) => this.deliveries.slice(0, limit),
      logout: async () => record('logout'),
      reconnect: () => record('reconnect'),
      requestPairingCode: async (digits) => (record('pairing-code', { digits }), 'ABCD1234'),
      submitPasskey: async (pasted) => record('passkey', { pasted }),
      restartLinking: () => record('passkey/cancel'),
      sendTestWebhook: async () => (record('webhook/test'), this.testResult),
      retryDeadDeliveries: () => (record('deliveries/retry-dead'), this.current.webhook.counters.dead + this.current.ha_events.dead),
      apiToken: () => 'fake-api-token',
      chats: (query) => chatPage(this.groups, this.contacts, query),
    };
    this.actions = actions;
  }

  /** Listens on 127.0.0.1 (a free port, or the one it had before a stop). */
  async start(): Promise<number> {
    this.server = new IngressServer({
      host: '127.0.0.1',
      port: this.port,
      allowedClient: '127.0.0.1',
      actions: this.actions,
      bus: this.bus,
      logger: pino({ level: 'silent' }),
    });
    await this.server.start();
    this.port = this.server.port;
    return this.port;
  }

  /** Replaces the status and pushes it to every open page. */
  set(status: StatusReport, deliveries?: DeliveryAttempt[]): void {
    this.current = status;
    if (deliveries) this.deliveries = deliveries;
    this.bus.emit('connection', INITIAL_STATUS);
  }

  /** Closes the server and every open event stream (the app "restarting"). */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }
}
