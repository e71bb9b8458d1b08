/** Where the WhatsApp link stands, as the page, the status API and events report it. */
export type ConnectionState =
  /** Opening the socket (first start or after a restart request). */
  | 'connecting'
  /** Not paired: a QR (and optionally a pairing code) is waiting to be scanned. */
  | 'qr'
  /** Paired and online: messages flow. */
  | 'connected'
  /** The link dropped for a reason that may pass; a reconnect is scheduled. */
  | 'reconnecting'
  /** The phone unlinked this device (401); a fresh QR follows. */
  | 'logged_out'
  /** Another client uses this session (440); the bridge waits for the user. */
  | 'replaced'
  /** WhatsApp refused the account (403). */
  | 'banned'
  /** Stopped on purpose (app shutting down). */
  | 'stopped'
  /** Not started: the state file cannot be used (the page says why and what to do). */
  | 'unavailable';

export interface Account {
  /** Phone-number JID, e.g. 4915112345678@s.whatsapp.net. */
  jid: string;
  phone: string;
  lid: string | null;
  name: string | null;
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** The QR string to render while `state` is `qr`. */
  qr: string | null;
  /** When WhatsApp rotates the current QR (epoch ms). */
  qrExpiresAt: number | null;
  /** The 8-character code while the phone-number linking flow is under way. */
  pairingCode: string | null;
  account: Account | null;
  /** Since when the link is up (epoch ms). */
  connectedSince: number | null;
  lastDisconnect: { code: number | null; reason: string; at: number } | null;
  /** When the next reconnect attempt is due (epoch ms), while `reconnecting`. */
  nextReconnectAt: number | null;
}

export const INITIAL_STATUS: ConnectionStatus = {
  state: 'connecting',
  qr: null,
  qrExpiresAt: null,
  pairingCode: null,
  account: null,
  connectedSince: null,
  lastDisconnect: null,
  nextReconnectAt: null,
};
