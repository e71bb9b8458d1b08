import type { Options, OptionProblem } from '../config/options.js';
import type { StateFileError } from '../state/database.js';
import { INITIAL_STATUS } from '../whatsapp/connection-status.js';
import type { IngressActions } from './ingress-server.js';
import { buildStatusReport } from './status-report.js';

/**
 * What the page can do while the state file cannot be used: show why and what to do, nothing
 * else. The app keeps running so the user reads it in Home Assistant instead of a crash loop.
 */
export function unavailableActions(options: Options, problems: OptionProblem[]): IngressActions {
  const refuse = () => {
    throw Object.assign(new Error('The app cannot use its state file: see the explanation at the top of the page.'), { status: 409 });
  };
  return {
    status: () =>
      buildStatusReport({
        connection: { ...INITIAL_STATUS, state: 'unavailable' },
        pairedAt: null,
        webhookState: options.webhook.state,
        webhookHost: options.webhook.state === 'on' ? options.webhook.url.host : null,
        webhook: null,
        haEvents: null,
        api: { port: 0, tokenSource: 'generated', tokenHint: '' },
        media: { download: options.media.download, folder: options.media.folder, files: 0, bytes: 0, pending: 0, lastError: null },
        voice: { entity: options.voice.entity, lastError: null },
        mqtt: { state: 'off', broker: null, error: null, nextAttemptAt: null, entities: 0, notify_targets: [], queued: 0, dead: 0 },
        storage: null,
        problems,
        now: Date.now(),
      }),
    recentDeliveries: () => [],
    logout: async () => refuse(),
    reconnect: refuse,
    requestPairingCode: async () => refuse(),
    submitPasskey: async () => refuse(),
    restartLinking: refuse,
    sendTestWebhook: async () => ({ delivered: false, status: null, error: 'The app cannot use its state file: see the top of the page.', durationMs: 0 }),
    retryDeadDeliveries: () => 0,
    apiToken: () => refuse(),
  };
}

/** What the user does about a state file the app cannot use (they cannot reach /data). */
const ADVICE: Record<StateFileError['kind'], string> = {
  damaged: 'It was set aside; the app starts with a new one.',
  newer:
    'This version leaves it untouched and does not link: update the app again (Settings > Apps > WhatsApp Bridge), or restore the backup Home Assistant made before the update.',
  foreign: 'To start fresh, uninstall and reinstall the app (its data folder is then empty), or restore a backup of the app from before.',
  readonly: 'Check the disk of the Home Assistant host (a file system that turned read-only often means a failing SD card), then restart the app.',
};

/** One line for the log and the page: what is wrong with the state file, and what to do. */
export function explainStateFileError(error: StateFileError): string {
  return `${error.message}. ${ADVICE[error.kind]}`;
}
