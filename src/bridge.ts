import { hostname } from 'node:os';
import { mediaPath } from './api/media-route.js';
import { MessageApiServer } from './api/message-api-server.js';
import { Bus } from './bus.js';
import { createAssistFeature } from './compose/assist.js';
import { createForwarding } from './compose/forwarding.js';
import { createMedia } from './compose/media.js';
import { createState } from './compose/state.js';
import type { Environment } from './config/environment.js';
import type { OptionProblem, ParsedOptions } from './config/options.js';
import { DestinationSet } from './destinations/destination-set.js';
import { Directory } from './directory/directory.js';
import { mqttEventsUnit } from './destinations/mqtt-events/mqtt-events-unit.js';
import { DESTINATION_UNITS } from './destinations/registry.js';
import type { DestinationUnit } from './destinations/unit.js';
import { describeTest, sendWebhookTest, webhookUnit } from './destinations/webhook/webhook-unit.js';
import type { Part } from './lifecycle.js';
import { baileysLogger, type Logger } from './logging/logger.js';
import { createMqttLink, HomeAssistantMqtt } from './mqtt/home-assistant-mqtt.js';
import { createOutgoing } from './outgoing/outgoing.js';
import { RecentMessages } from './outgoing/recent-messages.js';
import { StateFileError, type Db } from './state/database.js';
import { StateFile } from './state/state-file.js';
import { StorageWatch } from './state/storage-watch.js';
import { SupervisorClient } from './supervisor/supervisor-client.js';
import { IngressServer } from './web/ingress-server.js';
import { ingressActions } from './web/ingress-actions.js';
import { explainStateFileError, unavailableActions } from './web/unavailable.js';
import { WhatsAppConnection } from './whatsapp/connection.js';

export interface BridgeSettings {
  env: Environment;
  parsed: ParsedOptions;
  /** What whoever started the bridge found before (a state file set aside), shown with the options' problems. */
  notices?: readonly OptionProblem[];
  logger: Logger;
  /** Shorter keep-alive than Baileys' 30 s, for tests of a silent server. */
  keepAliveIntervalMs?: number;
  /** Where messages go; the registry's list (src/destinations/registry.ts) unless another is given. */
  destinations?: readonly DestinationUnit[];
}

/** A running bridge: its parts in start order (they stop in reverse), and the two servers whose ports it reports. */
interface Assembly {
  parts: Part[];
  ingress: IngressServer;
  messageApi: MessageApiServer;
}

/**
 * The controller. The state file opens first; the features are then built over it and the bus,
 * each from what was built before it (docs/architecture.md): state, the WhatsApp connection,
 * the destinations, the outgoing side and its API, media, forwarding, MQTT, the page. Their
 * parts start in order (the page first, the connection and the message API last) and `stop`
 * stops them in reverse, the state file last.
 */
export class Bridge {
  readonly bus = new Bus();
  private readonly stateFile: StateFile;
  private started: Part[] = [];
  /** The options' problems and the notices, then what the state file's start found; the parsed options stay untouched. */
  private readonly problems: OptionProblem[];
  private readonly units: readonly DestinationUnit[];

  constructor(private readonly settings: BridgeSettings) {
    this.stateFile = new StateFile(settings.env.dataDir);
    this.problems = [...settings.parsed.problems, ...(settings.notices ?? [])];
    this.units = settings.destinations ?? DESTINATION_UNITS;
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
      actions: unavailableActions(this.units, parsed.options, this.problems),
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

  /** Builds every feature from the ones before it; nothing here reaches something built further down. */
  private assemble(db: Db): Assembly {
    const { env, parsed, logger } = this.settings;
    const options = parsed.options;
    const bus = this.bus;
    const supervisor = env.supervisorToken ? new SupervisorClient(env.supervisorUrl, env.supervisorToken) : null;

    const state = createState({ db, dataDir: env.dataDir, options, bus, logger });
    const connection = new WhatsAppConnection({
      auth: state.auth,
      bus,
      logger,
      baileysLogger: baileysLogger(logger, options.logLevel),
      waWebSocketUrl: env.waWebSocketUrl,
      keepAliveIntervalMs: this.settings.keepAliveIntervalMs,
    });
    const storage = new StorageWatch({ db, dataDir: env.dataDir, bus, logger, resume: () => connection.renew() });
    const directory = new Directory({ db, connection, bus, logger });

    const mqttLink = createMqttLink(options.mqtt, supervisor, logger);
    const destinations = new DestinationSet(this.units, { outbox: state.outbox, log: state.log, bus, logger, options, supervisor, mqttLink });

    const recent = new RecentMessages();
    const sender = createOutgoing({
      settings: {
        sendIntervalMs: options.sendIntervalMs,
        urlAllow: options.sendUrlAllow,
        mediaFolder: options.media.folder,
        maxDownloadBytes: options.media.maxBytes,
        typingBeforeSend: options.typingBeforeSend,
      },
      connection,
      recent,
      sentIds: state.sentIds,
      polls: state.pollStore,
      groups: directory,
      logger,
    });
    const messageApi = new MessageApiServer({
      host: env.apiHost,
      port: env.apiPort,
      token: state.apiToken,
      sender,
      health: () => ({ whatsapp: connection.status.state }),
      mediaFile: (chat, id) => state.mediaFiles.find(chat, id),
      chats: (query) => directory.chats(query),
      logger,
    });

    const media = createMedia({
      db,
      state,
      options,
      destinations: destinations.all,
      connection,
      // The app's hostname on Home Assistant's internal network, and the message API's port.
      urlFor: (chat, id) => `http://${hostname()}:${messageApi.port}${mediaPath(chat, id)}`,
      supervisor,
      bus,
      logger,
    });
    const { connectionEvents } = createForwarding({
      state,
      options,
      destinations: destinations.all,
      connection,
      storage,
      media: media.intake,
      recent,
      bus,
      logger,
    });

    const assist = createAssistFeature({
      state,
      options,
      destinations: destinations.all,
      connection,
      directory,
      sender,
      downloadsMedia: media.intake !== null,
      supervisor,
      bus,
      logger,
    });

    const webhookTest = () => sendWebhookTest(destinations.named(webhookUnit.name), connection.status.account?.jid ?? null);
    const mqtt = new HomeAssistantMqtt({
      options: options.mqtt,
      link: mqttLink,
      eventQueue: destinations.named(mqttEventsUnit.name),
      deliveries: () => destinations.totals(),
      db,
      bus,
      // The app's page in Home Assistant; its slug is the hostname with `-` for `_` (docs/architecture.md).
      configurationUrl: `homeassistant://hassio/addon/${hostname().replace(/-/g, '_')}/info`,
      connection: () => connection.status,
      send: (request) => sender.send(request),
      testDelivery: async () => describeTest(await webhookTest()),
      logger,
    });

    const { auth, log, apiToken, mediaFiles } = state;
    const ingress = new IngressServer({
      host: env.ingressHost,
      port: env.ingressPort,
      allowedClient: env.ingressAllowedClient,
      actions: ingressActions(
        { auth, log, connection, destinations, mqtt, apiToken, messageApi, mediaFiles, mediaDownloader: media.downloader, storage, directory, assist },
        options,
        this.problems,
      ),
      bus,
      logger,
    });
    return {
      ingress,
      messageApi,
      parts: [
        state.walSync,
        state.apiToken,
        storage,
        state.pruner,
        state.log,
        ingress,
        destinations,
        ...(connectionEvents ? [connectionEvents] : []),
        mqtt,
        // After the entities: they hear the first connect.
        mqttLink,
        ...media.parts,
        // Before the connection: it hears the first connect and the groups' events.
        directory,
        // Before the connection: it notes the start before the first message comes.
        ...(assist ? [assist] : []),
        connection,
        messageApi,
        // After the message API: at stop, the sends still waiting are answered 503 before the API closes their connections.
        sender,
      ],
    };
  }
}
