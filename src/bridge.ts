import { resolveApiToken, tokenHint, type ApiToken } from './api/api-token.js';
import { MessageApiServer } from './api/message-api-server.js';
import { MessageSender } from './api/message-sender.js';
import { RecentMessages, SentMessageIds } from './api/recent-messages.js';
import { SendQueue } from './api/send-queue.js';
import { Bus } from './bus.js';
import type { Environment } from './config/environment.js';
import type { ParsedOptions } from './config/options.js';
import { DeliveryChannel } from './delivery/delivery-channel.js';
import { DeliveryLog } from './delivery/delivery-log.js';
import { Outbox } from './delivery/outbox.js';
import { WebhookSender } from './delivery/webhook-sender.js';
import { HaEvents } from './homeassistant/ha-events.js';
import { baileysLogger, type Logger } from './logging/logger.js';
import { useSqliteAuthState, type SqliteAuthState } from './state/auth-state.js';
import { openDatabase, type Db } from './state/database.js';
import { WhatsAppConnection } from './whatsapp/connection.js';
import { MessageForwarder } from './whatsapp/message-forwarder.js';
import { samplePayload } from './whatsapp/sample-payload.js';
import { IngressServer, type IngressActions } from './web/ingress-server.js';
import { buildStatusReport } from './web/status-report.js';

export interface BridgeSettings {
  env: Environment;
  parsed: ParsedOptions;
  logger: Logger;
  /** Shorter keep-alive than Baileys' 30 s, for tests of a silent server. */
  keepAliveIntervalMs?: number;
}

/** Supervisor gives an app 10 s to stop; in-flight HTTP attempts get this long to finish. */
const STOP_DELIVERIES_WITHIN_MS = 5_000;
/** How many sends may wait for their turn before the API answers 429. */
const SEND_QUEUE_CAPACITY = 10;

/**
 * The controller: opens the state file and composes the features over one event bus.
 * The message path is connection -> forwarder (filter, normalise, commit to the outbox) ->
 * delivery channels (webhook, Home Assistant events); replies go message API -> send queue ->
 * connection.
 */
export class Bridge {
  readonly bus = new Bus();
  private readonly db: Db;
  private readonly auth: SqliteAuthState;
  private readonly connection: WhatsAppConnection;
  private readonly webhook: DeliveryChannel | null;
  private readonly haEvents: HaEvents | null;
  private readonly ingress: IngressServer;
  private readonly messageApi: MessageApiServer;
  private readonly sendQueue: SendQueue;
  private readonly apiToken: ApiToken;
  private readonly deliveryLog: DeliveryLog;
  private apiPort = 0;

  constructor(private readonly settings: BridgeSettings) {
    const { env, parsed, logger } = settings;
    const options = parsed.options;
    this.db = openDatabase(env.dataDir);
    this.auth = useSqliteAuthState(this.db);
    const outbox = new Outbox(this.db);
    const log = new DeliveryLog(this.db);
    this.deliveryLog = log;

    const webhookUrl = options.webhook.url;
    this.webhook =
      options.webhook.enabled && webhookUrl
        ? new DeliveryChannel({
            destination: 'webhook',
            sender: new WebhookSender({ ...options.webhook, url: webhookUrl }),
            bodyFor: (payload) => JSON.stringify(payload),
            outbox,
            log,
            bus: this.bus,
            logger,
          })
        : null;
    this.haEvents =
      options.haEventEnabled && env.supervisorToken
        ? new HaEvents({ supervisorUrl: env.supervisorUrl, supervisorToken: env.supervisorToken, outbox, log, bus: this.bus, logger })
        : null;
    if (options.haEventEnabled && !env.supervisorToken) {
      logger.error("Option 'ha_event_enabled' needs Home Assistant's Supervisor (SUPERVISOR_TOKEN is not set); events are off.");
    }

    const recent = new RecentMessages();
    const sentIds = new SentMessageIds();
    const forwarder = new MessageForwarder({
      outbox,
      destinations: [this.webhook, this.haEvents?.channel].filter((d): d is DeliveryChannel => Boolean(d)),
      filter: { forwardGroups: options.forwardGroups, forwardOwnMessages: options.forwardOwnMessages, sentByBridge: (id) => sentIds.has(id) },
      account: () => ({
        phoneJid: this.connection.status.account?.jid ?? null,
        lidJid: this.connection.status.account?.lid ?? null,
        phoneForLid: (lidUser) => this.auth.phoneForLid(lidUser),
      }),
      bus: this.bus,
      logger,
    });

    this.connection = new WhatsAppConnection({
      auth: this.auth,
      bus: this.bus,
      logger,
      baileysLogger: baileysLogger(logger, options.logLevel),
      waWebSocketUrl: env.waWebSocketUrl,
      keepAliveIntervalMs: settings.keepAliveIntervalMs,
      onMessages: (messages, type) => {
        forwarder.handle(messages, type);
        recent.remember(messages);
      },
    });

    this.apiToken = resolveApiToken(this.db, options.apiToken);
    this.sendQueue = new SendQueue(options.sendIntervalMs, SEND_QUEUE_CAPACITY);
    this.messageApi = new MessageApiServer({
      host: env.apiHost,
      port: env.apiPort,
      token: this.apiToken.value,
      sender: new MessageSender({ connection: this.connection, recent, sentIds, queue: this.sendQueue, logger }),
      health: () => ({ whatsapp: this.connection.status.state }),
      logger,
    });

    this.ingress = new IngressServer({
      host: env.ingressHost,
      port: env.ingressPort,
      allowedClient: env.ingressAllowedClient,
      actions: this.ingressActions(),
      bus: this.bus,
      logger,
    });
  }

  /** Starts every feature; resolves with the ports actually bound. */
  async start(): Promise<{ ingressPort: number; apiPort: number }> {
    const { logger, parsed } = this.settings;
    const ingressPort = await this.ingress.start();
    logger.info(`Web UI listening on port ${ingressPort}.`);
    this.apiPort = await this.messageApi.start();
    logger.info(`Message API listening on port ${this.apiPort}.`);
    if (this.webhook) {
      this.webhook.start();
      logger.info(`Forwarding incoming messages to the webhook at ${this.webhook.status().target}.`);
    } else if (!parsed.problems.some((p) => p.option.startsWith('webhook'))) {
      logger.info("The webhook is off ('webhook_enabled'); messages are not forwarded to it.");
    }
    if (this.haEvents) {
      this.haEvents.start();
      logger.info('Firing whatsapp_message events on the Home Assistant event bus.');
    }
    this.connection.start();
    return { ingressPort, apiPort: this.apiPort };
  }

  /** Graceful stop: messages Baileys still buffers are committed, the pairing is kept. */
  async stop(): Promise<void> {
    this.sendQueue.stop();
    await this.messageApi.stop();
    await this.connection.stop();
    const deliveries = [this.webhook?.stop(), this.haEvents?.stop()];
    await Promise.race([Promise.all(deliveries), delay(STOP_DELIVERIES_WITHIN_MS)]);
    await this.ingress.stop();
    this.db.close();
  }

  private ingressActions(): IngressActions {
    const options = this.settings.parsed.options;
    return {
      status: () =>
        buildStatusReport({
          connection: this.connection.status,
          pairedAt: this.auth.pairedAt(),
          webhookEnabled: this.webhook !== null,
          webhookHost: options.webhook.url?.host ?? null,
          webhook: this.webhook?.status() ?? null,
          haEvents: this.haEvents?.channel.status() ?? null,
          api: { port: this.apiPort, tokenSource: this.apiToken.source, tokenHint: tokenHint(this.apiToken.value) },
          problems: this.settings.parsed.problems,
          now: Date.now(),
        }),
      recentDeliveries: (limit) => this.deliveryLog.recent(limit),
      logout: () => this.connection.logout(),
      reconnect: () => this.connection.reconnect(),
      requestPairingCode: (digits) => this.connection.requestPairingCode(digits),
      sendTestWebhook: async () => {
        if (!this.webhook) return { delivered: false, status: null, error: 'The webhook is off: set webhook_url and turn on webhook_enabled.', durationMs: 0 };
        return this.webhook.sendTest(JSON.stringify(samplePayload(this.connection.status.account?.jid ?? null)));
      },
      retryDeadDeliveries: () => (this.webhook?.requeueDead() ?? 0) + (this.haEvents?.channel.requeueDead() ?? 0),
      apiToken: () => this.apiToken.value,
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
