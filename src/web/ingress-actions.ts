import type { ApiToken } from '../api/api-token.js';
import type { MessageApiServer } from '../api/message-api-server.js';
import type { OptionProblem, Options } from '../config/options.js';
import type { DeliveryLog } from '../delivery/delivery-log.js';
import type { Destination } from '../delivery/destination.js';
import type { MediaDownloader } from '../media/media-downloader.js';
import type { MediaFiles } from '../media/media-files.js';
import type { HomeAssistantMqtt } from '../mqtt/home-assistant-mqtt.js';
import { samplePayload } from '../payload/sample-payload.js';
import type { SqliteAuthState } from '../state/auth-state.js';
import type { StorageWatch } from '../state/storage-watch.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { IngressActions } from './ingress-server.js';
import { buildStatusReport } from './status-report.js';

/** What the page reads and acts on. */
export interface PageSources {
  auth: SqliteAuthState;
  log: DeliveryLog;
  connection: WhatsAppConnection;
  webhook: Destination | null;
  haEvents: Destination | null;
  mqtt: HomeAssistantMqtt;
  apiToken: ApiToken;
  messageApi: MessageApiServer;
  mediaFiles: MediaFiles;
  mediaDownloader: MediaDownloader;
  storage: StorageWatch;
}

/** The page's reads (status, deliveries) and actions (unlink, reconnect, pairing code, passkey, test, retry) over the running parts. */
export function ingressActions(app: PageSources, options: Options, problems: OptionProblem[]): IngressActions {
  const webhookOption = options.webhook;
  const destinations = () => [app.webhook, app.haEvents, app.mqtt.destination].filter((d): d is Destination => d !== null);
  return {
    status: () =>
      buildStatusReport({
        connection: app.connection.status,
        pairedAt: app.auth.pairedAt(),
        webhookState: webhookOption.state,
        webhookHost: webhookOption.state === 'on' ? webhookOption.url.host : null,
        webhook: app.webhook?.status() ?? null,
        haEvents: app.haEvents?.status() ?? null,
        api: { port: app.messageApi.port, tokenSource: app.apiToken.source, tokenHint: app.apiToken.hint() },
        media: {
          ...options.media,
          ...app.mediaFiles.totals(),
          pending: app.mediaDownloader.pending,
          lastError: app.mediaDownloader.lastError,
        },
        voice: { entity: options.voice.entity, lastError: app.mediaDownloader.lastTranscriptError },
        mqtt: app.mqtt.status,
        storage: app.storage.problem,
        problems,
        now: Date.now(),
      }),
    recentDeliveries: (limit) => app.log.recent(limit),
    logout: () => {
      app.mqtt.forgetAccount(); // unlinked on purpose: its entities leave Home Assistant
      return app.connection.logout();
    },
    reconnect: () => app.connection.reconnect(),
    requestPairingCode: (digits) => app.connection.requestPairingCode(digits),
    submitPasskey: (pasted) => app.connection.submitPasskey(pasted),
    restartLinking: () => app.connection.restartLinking(),
    sendTestWebhook: async () => {
      if (!app.webhook) return { delivered: false, status: null, error: 'The webhook is off: set webhook_url and turn on webhook_enabled.', durationMs: 0 };
      return app.webhook.sendTest(JSON.stringify(samplePayload(app.connection.status.account?.jid ?? null)));
    },
    retryDeadDeliveries: () => destinations().reduce((sum, d) => sum + d.requeueDead(), 0),
    apiToken: () => app.apiToken.value,
  };
}
