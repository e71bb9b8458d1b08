/** Where the WhatsApp link stands, as the page, the status API and events report it. */
export type ConnectionState =
  /** Opening the socket (first start or after a restart request). */
  | 'connecting'
  /** Not paired: a QR (and optionally a pairing code) is waiting to be scanned. */
  | 'qr'
  /** The phone accepted the QR or code, and WhatsApp asks for a passkey first (`passkey` says where it stands). */
  | 'passkey'
  /** Paired and online: messages flow. */
  | 'connected'
  /** The link dropped for a reason that may pass; a reconnect is scheduled. */
  | 'reconnecting'
  /** WhatsApp ended the link (401: removed on the phone, or offline about 14 days); a fresh QR follows, `relinkReason` says why. */
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

/** The passkey step of linking (docs/passkey-protocol.md), while the state is `passkey`. */
export interface PasskeyStatus {
  /**
   * waiting: for the user to paste the passkey's result; checking: WhatsApp checks it;
   * confirming: the code is shown, the phone finishes the link; failed: the step ended, `error` says why.
   */
  phase: 'waiting' | 'checking' | 'confirming' | 'failed';
  /** WhatsApp's WebAuthn request options (JSON text; the challenge is no secret), null if it never came. */
  requestOptions: string | null;
  /** When the request expires (epoch ms). */
  expiresAt: number | null;
  /** The code to compare with the phone's, "XXXX-XXXX", once known. */
  confirmationCode: string | null;
  /** What went wrong last, in one line (a refused paste while waiting; the end of the step when failed). */
  error: string | null;
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
  /** The passkey step while `state` is `passkey`, else null. */
  passkey: PasskeyStatus | null;
  /** Why the account must be linked again (the phone removed the link, or the page unlinked it), until it is. */
  relinkReason: string | null;
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
  passkey: null,
  relinkReason: null,
};
