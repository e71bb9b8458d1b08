/** What to do after the socket closed, by Baileys' status code (see docs/architecture.md). */
export type DisconnectAction =
  /** Open a new socket at once with the same creds (515 after pairing). */
  | { kind: 'restart'; reason: string }
  /** Back off, then reconnect (network trouble, server hiccups). */
  | { kind: 'backoff'; reason: string }
  /** The pairing is gone: wipe the auth state and show a new QR. */
  | { kind: 'repair'; reason: string }
  /** Do not reconnect by ourselves; tell the user. */
  | { kind: 'halt'; state: 'replaced' | 'banned'; reason: string };

/**
 * What the page, the connection event and the log say when WhatsApp ends the link (401 loggedOut:
 * `<stream:error code="401"><conflict type="device_removed"/>`, or a login refused with 401).
 * WhatsApp drops a companion whose phone was not online for about 14 days (mautrix-whatsapp #514).
 */
export const PHONE_REMOVED_LINK =
  'the phone removed this link (it was removed under Linked devices, the phone was offline for about 14 days, or WhatsApp was reinstalled or moved to another phone); scan the new QR code to link again';
/** The same close when the user unlinked on the app's page. */
export const UNLINKED_ON_PAGE = "unlinked on the app's page; scan the new QR code to link again";

export function actionFor(statusCode: number | undefined): DisconnectAction {
  switch (statusCode) {
    case 515:
      return { kind: 'restart', reason: 'restart required (normal right after pairing)' };
    case 401:
      return { kind: 'repair', reason: PHONE_REMOVED_LINK };
    case 411:
      return { kind: 'repair', reason: 'multi-device mismatch: the pairing must be renewed' };
    case 440:
      return { kind: 'halt', state: 'replaced', reason: 'another client is using this WhatsApp session' };
    case 403:
      return { kind: 'halt', state: 'banned', reason: 'WhatsApp refused this account (403 forbidden)' };
    case 428:
      return { kind: 'backoff', reason: 'connection closed' };
    case 408:
      return { kind: 'backoff', reason: 'connection timed out or lost' };
    case 500:
      return { kind: 'backoff', reason: 'bad session (stream error)' };
    case 503:
      return { kind: 'backoff', reason: 'WhatsApp unavailable' };
    case 405:
      return { kind: 'backoff', reason: 'WhatsApp rejected the client version' };
    default:
      return { kind: 'backoff', reason: statusCode ? `disconnected (${statusCode})` : 'could not reach WhatsApp' };
  }
}

/** The log line when the bridge stops connecting by itself, saying what the user does. */
export function haltMessage(action: Extract<DisconnectAction, { kind: 'halt' }>): string {
  return action.state === 'replaced'
    ? `WhatsApp closed this session because ${action.reason}. The bridge will not fight over it: stop the other client, then restart the app (or press Reconnect on its page).`
    : `${action.reason}. The bridge stopped connecting; check the account in the WhatsApp app.`;
}

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 60_000;

/** Capped exponential backoff with jitter: 1 s, 2 s, 4 s ... 60 s, each between 50% and 100%. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}
