import type { Options, OptionProblem } from '../config/options.js';
import type { DestinationUnit } from '../destinations/unit.js';
import type { StateFileError } from '../state/database.js';
import type { IngressActions } from './ingress-server.js';
import { assembleStatus, restingSlices } from './status-report.js';

/**
 * What the page can do while the state file cannot be used: show why and what to do, nothing
 * else. The app keeps running so the user reads it in Home Assistant instead of a crash loop.
 */
export function unavailableActions(units: readonly DestinationUnit[], options: Options, problems: OptionProblem[]): IngressActions {
  const refuse = () => {
    throw Object.assign(new Error('The app cannot use its state file: see the explanation at the top of the page.'), { status: 409 });
  };
  return {
    status: () => {
      const now = Date.now();
      return assembleStatus(restingSlices(units, options, problems, now), now);
    },
    recentDeliveries: () => [],
    logout: async () => refuse(),
    reconnect: refuse,
    requestPairingCode: async () => refuse(),
    submitPasskey: async () => refuse(),
    restartLinking: refuse,
    sendTestWebhook: async () => ({ delivered: false, status: null, error: 'The app cannot use its state file: see the top of the page.', durationMs: 0 }),
    retryDeadDeliveries: () => 0,
    apiToken: () => refuse(),
    chats: () => refuse(),
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
