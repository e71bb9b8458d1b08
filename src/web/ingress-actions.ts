import type { ApiToken } from '../api/api-token.js';
import type { Assist } from '../assist/assist.js';
import type { MessageApiServer } from '../api/message-api-server.js';
import type { OptionProblem, Options } from '../config/options.js';
import type { DeliveryLog } from '../delivery/delivery-log.js';
import type { DestinationSet } from '../destinations/destination-set.js';
import type { Directory } from '../directory/directory.js';
import { sendWebhookTest, webhookUnit } from '../destinations/webhook/webhook-unit.js';
import type { MediaDownloader } from '../media/media-downloader.js';
import type { MediaFiles } from '../media/media-files.js';
import type { HomeAssistantMqtt } from '../mqtt/home-assistant-mqtt.js';
import type { SqliteAuthState } from '../state/auth-state.js';
import type { StorageWatch } from '../state/storage-watch.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import { connectionReport } from './connection-report.js';
import type { IngressActions } from './ingress-server.js';
import { assembleStatus, assistResting } from './status-report.js';

/** What the page reads and acts on. */
export interface PageSources {
  auth: SqliteAuthState;
  log: DeliveryLog;
  connection: WhatsAppConnection;
  destinations: DestinationSet;
  mqtt: HomeAssistantMqtt;
  apiToken: ApiToken;
  messageApi: MessageApiServer;
  mediaFiles: MediaFiles;
  mediaDownloader: MediaDownloader;
  storage: StorageWatch;
  directory: Directory;
  /** null while `assist_chats` is empty or Assist cannot work here. */
  assist: Assist | null;
}

/** The page's reads (status, deliveries) and actions (unlink, reconnect, pairing code, passkey, test, retry) over the running parts. */
export function ingressActions(app: PageSources, options: Options, problems: OptionProblem[]): IngressActions {
  return {
    status: () => {
      const now = Date.now();
      const { mediaDownloader } = app;
      return assembleStatus(
        {
          connection: connectionReport(app.connection.status, app.auth.pairedAt()),
          destinations: app.destinations.report(now),
          api: { port: app.messageApi.port, token_source: app.apiToken.source, token_hint: app.apiToken.hint() },
          media: {
            download: options.media.download,
            folder: options.media.folder,
            ...app.mediaFiles.totals(),
            pending: mediaDownloader.pending,
            last_error: mediaDownloader.lastError,
          },
          voice_to_text: { entity: options.voice.entity, last_error: mediaDownloader.lastTranscriptError },
          assist: app.assist?.report() ?? assistResting(options),
          mqtt: app.mqtt.report(),
          storage: app.storage.problem,
          problems,
        },
        now,
      );
    },
    recentDeliveries: (limit) => app.log.recent(limit),
    logout: () => {
      app.mqtt.forgetAccount(); // unlinked on purpose: its entities leave Home Assistant
      return app.connection.logout();
    },
    reconnect: () => app.connection.reconnect(),
    requestPairingCode: (digits) => app.connection.requestPairingCode(digits),
    submitPasskey: (pasted) => app.connection.submitPasskey(pasted),
    restartLinking: () => app.connection.restartLinking(),
    sendTestWebhook: () => sendWebhookTest(app.destinations.named(webhookUnit.name), app.connection.status.account?.jid ?? null),
    retryDeadDeliveries: () => app.destinations.requeueDead(),
    apiToken: () => app.apiToken.value,
    chats: (query) => app.directory.chats(query),
  };
}
