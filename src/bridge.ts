import { ApiToken } from './api/api-token.js';
import { MessageApiServer } from './api/message-api-server.js';
import { MessageSender } from './api/message-sender.js';
import { RecentMessages } from './api/recent-messages.js';
import { SentMessageIds } from './api/sent-messages.js';
import { SendQueue } from './api/send-queue.js';
import { Bus } from './bus.js';
import type { Environment } from './config/environment.js';
import type { OptionProblem, ParsedOptions } from './config/options.js';
import { DeliveryLog } from './delivery/delivery-log.js';
import type { Destination, DestinationContext } from './delivery/destination.js';
import { Outbox } from './delivery/outbox.js';
import { webhookDestination } from './delivery/webhook-destination.js';
import { ConnectionEvents } from './events/connection-events.js';
import { haEventDestination } from './homeassistant/ha-event-destination.js';
import { HomeAssistantMqtt } from './mqtt/home-assistant-mqtt.js';
import { Intake } from './intake/intake.js';
import type { AccountIdentity } from './intake/normalise.js';
import { StatusEvents } from './events/status-events.js';
import { PollStore } from './polls/poll-store.js';
import { Polls } from './polls/polls.js';
import type { Part } from './lifecycle.js';
import { hostname } from 'node:os';
import { baileysLogger, type Logger } from './logging/logger.js';
import { MediaDownloader } from './media/media-downloader.js';
import { MediaFiles } from './media/media-files.js';
import { MediaIntake } from './media/media-intake.js';
import { MediaJobs } from './media/media-jobs.js';
import { MediaRetention } from './media/media-retention.js';
import { useSqliteAuthState } from './state/auth-state.js';
import { StateFileError, type Db } from './state/database.js';
import { StateFile } from './state/state-file.js';
import { StatePruner } from './state/state-pruner.js';
import { voiceTranscriber } from './stt/transcriber.js';
import { StorageWatch } from './state/storage-watch.js';
import { WalSync } from './state/wal-sync.js';
import { IngressServer } from './web/ingress-server.js';
import { ingressActions, type PageSources } from './web/ingress-actions.js';
import { explainStateFileError, unavailableActions } from './web/unavailable.js';
import { WhatsAppConnection } from './whatsapp/connection.js';

export interface BridgeSettings {
  env: Environment;
  parsed: ParsedOptions;
  logger: Logger;
  /** Shorter keep-alive than Baileys' 30 s, for tests of a silent server. */
  keepAliveIntervalMs?: number;
}

/** Home Assistant's folders a file to send may come from (config.yaml maps them), besides media_folder. */
const SENDABLE_FOLDERS = ['/media', '/share'];
/** How many sends may wait for their turn before the API answers 429. */
const SEND_QUEUE_CAPACITY = 10;

/** The parts of a running bridge, wired to each other over the state file and the bus. */
interface Assembly extends PageSources {
  ingress: IngressServer;
  /** In start order; they stop in reverse. */
  parts: Part[];
}

/**
 * The controller. The state file opens first; the other parts are then wired over it and the
 * bus and started in order: the page, the destinations, the WhatsApp connection, the message
 * API. The message path is connection -> intake (filter, normalise, commit to the outbox) ->
 * destinations (webhook, Home Assistant events); replies go message API -> send queue ->
 * connection. `stop` stops the parts in reverse, the state file last.
 */
export class Bridge {
  readonly bus = new Bus();
  private readonly stateFile: StateFile;
  private started: Part[] = [];
  /** The options' problems, and what the state file's start found. */
  private readonly problems: OptionProblem[];

  constructor(private readonly settings: BridgeSettings) {
    this.stateFile = new StateFile(settings.env.dataDir);
    this.problems = [...settings.parsed.problems];
  }

  /** Starts every part; resolves with the ports actually bound (the API's is 0 while the state file is unusable). */
  async start(): Promise<{ ingressPort: number; apiPort: number }> {
    try {
      await this.startPart(this.stateFile);
    } catch (error) {
      if (!(error instanceof StateFileError)) throw error;
      return this.startUnavailable(error);
    }
    const notice = this.stateFile.notice;
    if (notice) {
      this.settings.logger.warn(notice);
      this.problems.push({ option: 'state_file', message: notice });
    }
    const app = this.assemble(this.stateFile.db);
    for (const part of app.parts) await this.startPart(part);
    this.logDestinations(app);
    return { ingressPort: app.ingress.port, apiPort: app.messageApi.port };
  }

  /** Graceful stop: messages Baileys still buffers are committed, deliveries under way finish, the pairing is kept. */
  async stop(): Promise<void> {
    const parts = this.started.reverse();
    this.started = [];
    for (const part of parts) {
      try {
        await part.stop();
      } catch (error) {
        this.settings.logger.error(`A part of the app did not stop cleanly: ${(error as Error).message}`);
      }
    }
  }

  /** Only the page, explaining why the state file cannot be used and what to do; nothing touches the file. */
  private async startUnavailable(error: StateFileError): Promise<{ ingressPort: number; apiPort: number }> {
    const { env, parsed, logger } = this.settings;
    const message = explainStateFileError(error);
    logger.error(message);
    this.problems.push({ option: 'state_file', message });
    const ingress = new IngressServer({
      host: env.ingressHost,
      port: env.ingressPort,
      allowedClient: env.ingressAllowedClient,
      actions: unavailableActions(parsed.options, this.problems),
      bus: this.bus,
      logger,
    });
    await this.startPart(ingress);
    return { ingressPort: ingress.port, apiPort: 0 };
  }

  private async startPart(part: Part): Promise<void> {
    await part.start();
    this.started.push(part);
  }

  private assemble(db: Db): Assembly {
    const { env, parsed, logger } = this.settings;
    const options = parsed.options;
    const bus = this.bus;
    const auth = useSqliteAuthState(db, bus);
    const outbox = new Outbox(db);
    const log = new DeliveryLog(db);
    const context: DestinationContext = { outbox, log, bus, logger };

    const webhook = options.webhook.state === 'on' ? webhookDestination(options.webhook, options.webhookEvents, context) : null;
    const supervisor = env.supervisorToken ? { url: env.supervisorUrl, token: env.supervisorToken } : null;
    const haEvents = options.haEventEnabled && supervisor ? haEventDestination(supervisor, context) : null;
    const mqtt = new HomeAssistantMqtt({
      options: options.mqtt,
      supervisor,
      context,
      db,
      // The app's page in Home Assistant; its slug is the hostname with `-` for `_` (docs/architecture.md).
      configurationUrl: `homeassistant://hassio/addon/${hostname().replace(/-/g, '_')}/info`,
      connection: () => connection.status,
      destinations: () => destinations,
      send: (request) => sender.send(request),
      testDelivery: async () => describeTest(await pageActions.sendTestWebhook()),
    });
    const destinations = [webhook, haEvents, mqtt.destination].filter((d): d is Destination => d !== null);

    const mediaFiles = new MediaFiles(db);
    const mediaRetention = new MediaRetention({ files: mediaFiles, options: options.media, logger });
    const mediaJobs = new MediaJobs(db);
    const mediaDownloader = new MediaDownloader({
      jobs: mediaJobs,
      files: mediaFiles,
      outbox,
      destinations,
      options: options.media,
      socket: () => connection.openSocket,
      // The app's hostname on Home Assistant's internal network, and the message API's port.
      urlFor: (id) => `http://${hostname()}:${messageApi.port}/api/media/${encodeURIComponent(id)}`,
      saved: () => void mediaRetention.schedule(),
      transcriber: voiceTranscriber(options.voice, { url: env.supervisorUrl, token: env.supervisorToken }, logger),
      bus,
      logger,
    });

    const walSync = new WalSync(env.dataDir);
    const storage = new StorageWatch({ db, dataDir: env.dataDir, bus, logger, resume: () => connection.renew() });

    const recent = new RecentMessages();
    const sentIds = new SentMessageIds(db);
    const pollStore = new PollStore(db);
    const account = (): AccountIdentity => ({
      phoneJid: connection.status.account?.jid ?? null,
      lidJid: connection.status.account?.lid ?? null,
      phoneForLid: (lidUser) => auth.phoneForLid(lidUser),
    });
    const statusEvents = new StatusEvents({ outbox, destinations, sentByBridge: (id) => sentIds.has(id), account, logger });
    const intake = new Intake({
      outbox,
      destinations,
      storeFailed: (error) => storage.failed(error),
      storing: () => storage.storing,
      durable: () => walSync.durable(),
      media: options.media.download ? new MediaIntake(options.media, mediaJobs, mediaDownloader) : null,
      filter: { forwardGroups: options.forwardGroups, forwardOwnMessages: options.forwardOwnMessages, sentByBridge: (id) => sentIds.has(id) },
      polls: new Polls(pollStore, logger),
      account,
      bus,
      logger,
    });
    const connection = new WhatsAppConnection({
      auth,
      bus,
      logger,
      baileysLogger: baileysLogger(logger, options.logLevel),
      waWebSocketUrl: env.waWebSocketUrl,
      keepAliveIntervalMs: this.settings.keepAliveIntervalMs,
      onMessages: (messages, type) => {
        intake.accept(messages, type);
        statusEvents.fromOwnUpserts(messages);
        recent.remember(messages);
      },
      onMessageUpdates: (updates) => statusEvents.fromUpdates(updates),
      onMessageReceipts: (receipts) => statusEvents.fromReceipts(receipts),
    });

    const apiToken = new ApiToken(db, options.apiToken);
    const sender = new MessageSender({
      connection,
      recent,
      sentIds,
      polls: pollStore,
      queue: new SendQueue(options.sendIntervalMs, SEND_QUEUE_CAPACITY),
      mediaLimits: { allowedFolders: [...SENDABLE_FOLDERS, options.media.folder], maxDownloadBytes: options.media.maxBytes },
      logger,
    });
    const messageApi = new MessageApiServer({
      host: env.apiHost,
      port: env.apiPort,
      token: apiToken,
      sender,
      health: () => ({ whatsapp: connection.status.state }),
      mediaFile: (id) => mediaFiles.find(id),
      logger,
    });
    const core: PageSources = { auth, log, connection, webhook, haEvents, mqtt, apiToken, messageApi, mediaFiles, mediaDownloader, storage };
    const pageActions = ingressActions(core, options, this.problems);
    const ingress = new IngressServer({
      host: env.ingressHost,
      port: env.ingressPort,
      allowedClient: env.ingressAllowedClient,
      actions: pageActions,
      bus,
      logger,
    });
    const connectionEvents = destinations.length > 0 ? [new ConnectionEvents({ bus, destinations })] : [];
    return {
      ...core,
      ingress,
      parts: [
        walSync,
        apiToken,
        storage,
        new StatePruner(db, logger, Date.now, bus),
        log,
        ingress,
        ...destinations,
        ...connectionEvents,
        mqtt,
        mediaRetention,
        mediaDownloader,
        connection,
        messageApi,
      ],
    };
  }

  private logDestinations(app: Assembly): void {
    const { logger, parsed } = this.settings;
    const webhook = parsed.options.webhook;
    if (webhook.state === 'on') logger.info(`Forwarding incoming messages to the webhook at ${webhook.url.host}.`);
    if (webhook.state === 'off') logger.info("The webhook is off ('webhook_enabled'); messages are not forwarded to it.");
    if (app.haEvents) logger.info('Firing whatsapp_message events on the Home Assistant event bus.');
  }
}

/** One line for the log from a test delivery's outcome. */
function describeTest(result: { delivered: boolean; status: number | null; error: string | null }): string {
  if (result.delivered) return `the webhook answered HTTP ${result.status}.`;
  return result.status === null ? `${result.error}` : `the webhook answered HTTP ${result.status}${result.error ? ` (${result.error})` : ''}.`;
}
