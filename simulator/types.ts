import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { Contact } from './contacts.js';
import type { RecordedMediaRetry } from './media-types.js';
import type { PasskeyRequest } from './passkey.js';

/** A pino-compatible logger (the shape of Baileys' ILogger, which the package does not export). */
export interface Logger {
  level: string;
  child(obj: Record<string, unknown>): Logger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Options of `WaSimulator.start`. */
export interface SimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Where the simulator logs (default: silent). */
  logger?: Logger;
  /** The account devices pair with (defaults: phone 491700000000, lid 100000000000000, "Sim Owner"). */
  account?: Partial<AccountInfo>;
  /** Also run the HTTPS media host (`sim.media`): contacts can send media, the client can upload. */
  media?: boolean;
}

/** The WhatsApp account the paired device belongs to. */
export interface AccountInfo {
  /** Phone number, digits only. */
  readonly phone: string;
  /** LID user part, digits only. */
  readonly lid: string;
  /** The account owner's push name. */
  readonly pushName: string;
  /**
   * A WhatsApp Business account's verified name: the phone sends it as `<biz name>` in
   * `pair-success`, so Baileys knows the account's name from the first moment (Baileys #2553).
   */
  readonly businessName?: string;
  /**
   * The owner turned read receipts off in WhatsApp's privacy settings: the privacy iq says
   * `readreceipts: none`, and Baileys' readMessages then sends `read-self` receipts, which mark
   * the chat read on the owner's devices but show the sender no blue ticks.
   */
  readonly readReceiptsOff?: boolean;
}

/** How to create a simulated person with `sim.contact`. */
export interface ContactSpec {
  /** Phone number, digits only. */
  phone: string;
  /** Push name shown with their messages (`notify`). */
  pushName?: string;
  /** LID user part; generated when absent. */
  lid?: string;
}

/** How to create a group with `sim.group`. */
export interface GroupSpec {
  /** Group id without `@g.us`; generated when absent. */
  id?: string;
  /** Group subject (default "Group <id>"). */
  subject?: string;
  /** Members besides the account itself. */
  participants: Contact[];
  /** Members who are admins (default none). */
  admins?: Contact[];
  /** Whether the account is an admin (default true: it made the group). */
  accountAdmin?: boolean;
}

/** A simulated group chat; `sim.renameGroup`, `addToGroup`, `leaveGroup` change it and tell the client. */
export interface Group {
  /** Id without the server part. */
  readonly id: string;
  /** `<id>@g.us` */
  readonly jid: string;
  /** Group subject. */
  subject: string;
  /** Members besides the account itself. */
  participants: Contact[];
  /** Members who are admins. */
  admins: Contact[];
  /** Whether the account is an admin. */
  accountAdmin: boolean;
  /** False once the account left: metadata queries answer 403 forbidden. */
  accountMember: boolean;
}

/** Options of every send. */
export interface SendOptions {
  /** Send into this group instead of 1:1. */
  group?: Group;
  /** Address the sender by LID (default, as WhatsApp does now) or by phone number. */
  addressing?: 'lid' | 'pn';
  /** Push name for this message (default: the contact's). */
  pushName?: string;
  /** Message id (default: a fresh 3EB0… id). */
  id?: string;
  /** Unix timestamp in seconds (default: now). */
  timestamp?: number;
  /** Mark as delivered from the offline queue: Baileys emits it as `messages.upsert` type `append`. */
  offline?: boolean;
  /**
   * Send garbage ciphertext: Baileys emits a CIPHERTEXT stub and sends a retry receipt, which the
   * sender's phone answers with the message again on a new session. `'once'`: only the first copy is
   * garbage, the resend decrypts; `true`: every copy is, so the message never arrives.
   */
  undecryptable?: boolean | 'once';
}

/** What a send returns. */
export interface SendResult {
  /** The message id. */
  readonly id: string;
  /** The stanza timestamp (unix seconds). */
  readonly timestamp: number;
}

/** One message of `sim.sendMany`: text or any proto message. */
export interface BurstItem {
  /** The sender. */
  from: Contact;
  /** Plain text (a `conversation` message). */
  text?: string;
  /** Any message; wins over `text`. */
  message?: proto.IMessage;
  /** Send options. */
  opts?: SendOptions;
}

/** A message the client sent, decrypted by the simulated recipient. */
export interface OutgoingMessage {
  /** The stanza's `to` (phone JID, LID JID or group JID as the client addressed it). */
  readonly to: string;
  /** The message id the client chose. */
  readonly id: string;
  /** The decrypted content. */
  readonly message: proto.IMessage;
  /** The simulated person who decrypted it. */
  readonly recipient: Contact;
  /** The raw stanza. */
  readonly stanza: BinaryNode;
  /** When the stanza arrived: its place among everything the client sent (`Arrival`), before it was decrypted. */
  readonly arrival: Arrival;
}

/** When a stanza from the client arrived: `seq` orders messages and chatstates as they came, `at` is Date.now(). */
export interface Arrival {
  readonly seq: number;
  readonly at: number;
}

/** An `<ack>` the client sent. */
export interface RecordedAck {
  /** Id of the stanza acknowledged. */
  readonly id: string;
  /** message, receipt, notification, call… */
  readonly class: string;
  /** NACK error code, when the client could not process the stanza. */
  readonly error?: string;
  /** All attributes of the `<ack>`. */
  readonly attrs: Readonly<Record<string, string>>;
}

/** A `<receipt>` the client sent (one receipt may cover several ids). */
export interface RecordedReceipt {
  /** Message ids covered (the `id` attribute plus any `<list><item>`). */
  readonly ids: readonly string[];
  /** undefined = delivered; inactive, read, retry, peer_msg… */
  readonly type?: string;
  /** All attributes of the `<receipt>`. */
  readonly attrs: Readonly<Record<string, string>>;
}

/** An `<iq>` the client sent. */
export interface RecordedIq {
  /** e.g. `encrypt`, `usync`, `w:p`, `passive`. */
  readonly xmlns?: string;
  /** get or set. */
  readonly type?: string;
  /** Tag of the first child, e.g. `count`, `ping`, `usync`. */
  readonly child?: string;
  /** The whole iq. */
  readonly node: BinaryNode;
}

/** A retry receipt the client sent, and how the sender's phone answered it. */
export interface RecordedRetry {
  /** The message id the client asked for again. */
  readonly id: string;
  /** The device that asked. */
  readonly deviceJid: string;
  /** The `count` of the receipt's `<retry>` (1 for the client's first retry of this message). */
  readonly count: number;
  /** Where the phone's new session came from: the `<keys>` in the receipt, or a prekey bundle from the server; absent when it did not resend. */
  readonly keys?: 'receipt' | 'server';
  /** Why the phone did not resend: it never sent this message (or forgot it), or it already resent it as often as it does. */
  readonly refused?: 'unknown-message' | 'too-many-retries';
}

/** Everything the client sent, for assertions. */
export interface Recorded {
  /** Every `<ack>`, in arrival order. */
  readonly acks: readonly RecordedAck[];
  /** Every `<receipt>`, in arrival order. */
  readonly receipts: readonly RecordedReceipt[];
  /** Number of prekeys in each upload. */
  readonly prekeyUploads: readonly number[];
  /** Every iq the client sent (answers to the server's own iqs excluded). */
  readonly iqs: readonly RecordedIq[];
  /** Every message the client sent that a simulated person decrypted. */
  readonly outgoing: readonly OutgoingMessage[];
  /** Every media re-upload request (`sock.updateMediaMessage`), with the phone's answer. */
  readonly mediaRetries: readonly RecordedMediaRetry[];
  /** Every retry receipt (a message the client could not decrypt), with the phone's answer. */
  readonly retries: readonly RecordedRetry[];
  /** Every `<presence>` and `<chatstate>` the client sent, in order (whether the account looks online). */
  readonly presences: readonly RecordedPresence[];
}

/** A `<presence>` (the account's availability, or a subscription with `to`) or `<chatstate>` (typing in one chat) the client sent. */
export interface RecordedPresence {
  readonly tag: 'presence' | 'chatstate';
  /** All attributes: WhatsApp reads a `<presence>` without `type` as `available`. */
  readonly attrs: Readonly<Record<string, string>>;
  /** For a chatstate, the state's tag (`composing`, `paused`). */
  readonly state?: string;
  /** The connection it came on (see `sim.connectionCount`). */
  readonly connection: number;
  /** When it arrived, in the same order as the messages' `arrival`. */
  readonly arrival: Arrival;
}

/** Fault stanzas by the status code the client reports for them. */
export type StreamFault = 401 | 403 | 440 | 500 | 515;

/** A connection as reported in events. */
export interface ConnectionInfo {
  /** 1-based connection number (see `sim.connectionCount`). */
  readonly number: number;
  /** The paired device it logged in as (logins only). */
  readonly deviceJid?: string;
}

/** Events of `sim.events`. */
export interface SimulatorEvents {
  /** A client connection was accepted. */
  connection: [ConnectionInfo];
  /** A connection was refused (see `refuseConnections`). */
  refused: [];
  /** A client connection closed. */
  disconnect: [ConnectionInfo];
  /** A new device asked to pair: QR refs were sent. */
  registration: [ConnectionInfo];
  /** The client asked for a pairing code for this phone number. */
  'pairing-code-requested': [{ readonly phone: string; readonly connection: ConnectionInfo }];
  /** The phone scanned a QR (or entered a code) and sent pair-success. */
  'qr-scanned': [{ readonly ref: string }];
  /** The phone asked for a passkey (request options), and again once it knows the confirmation code. */
  passkey: [PasskeyRequest];
  /** A device completed pairing. */
  paired: [{ readonly deviceJid: string }];
  /** A paired device logged in. */
  login: [ConnectionInfo];
  /** The logged-in client received the offline marker. */
  online: [ConnectionInfo];
  /** The client sent an `<ack>`. */
  ack: [RecordedAck];
  /** The client sent a `<receipt>`. */
  receipt: [RecordedReceipt];
  /** The client sent an iq. */
  iq: [RecordedIq];
  /** The client uploaded prekeys (count). */
  'prekey-upload': [number];
  /** The client sent a message (decrypted). */
  outgoing: [OutgoingMessage];
  /** The client asked for a media re-upload; the phone has answered. */
  'media-retry': [RecordedMediaRetry];
  /** The client sent a retry receipt; the phone has resent the message (or refused, see `refused`). */
  retry: [RecordedRetry];
  /** The client sent a presence or chatstate. */
  presence: [RecordedPresence];
}
