import type { EventEmitter } from 'node:events';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { Account } from './account.js';
import type { ClientConnections } from './client-connections.js';
import { Contact } from './contacts.js';
import { Delivery } from './delivery.js';
import type { MediaHost } from './media-host.js';
import { MediaPhone } from './media-phone.js';
import type { PasskeyRequest } from './passkey.js';
import { People } from './people.js';
import { Recorder } from './recorder.js';
import type { ClientSession, SessionHost } from './session.js';
import type { AccountInfo, Group, Logger, SimulatorEvents } from './types.js';

/**
 * Everything the simulator keeps in memory around one account: its state and devices, its own
 * phone, the people and groups, what their phones sent (delivery, media) and what the client sent
 * (recorder). Each client connection's session works on it (SessionHost).
 */
export class SimulatedWorld implements SessionHost {
  readonly account: Account;
  /** The account's own phone as a Signal party. */
  readonly phone: Contact;
  readonly recorder: Recorder;
  readonly delivery: Delivery;
  readonly people: People;
  /** The phones' side of media: uploads and re-upload requests. */
  readonly mediaPhone: MediaPhone;
  /** While on, every group query is answered `rate-overlimit` (see group-stanzas.ts). */
  groupQueriesLimited = false;
  /** How long the answer to a prekey upload is held back (see `WaSimulator.delayPreKeyUploadAnswers`). */
  preKeyUploadAnswerDelayMs = 0;
  /** The pending (or last) passkey step of a pairing. */
  lastPasskey: PasskeyRequest | undefined;

  constructor(
    info: AccountInfo,
    readonly events: EventEmitter<SimulatorEvents>,
    readonly logger: Logger,
    private readonly connections: ClientConnections,
    /** The HTTPS media host (CDN), when the simulator runs with media. */
    private readonly media: MediaHost | undefined,
  ) {
    this.account = new Account(info);
    this.phone = new Contact({ phone: info.phone, lid: info.lid, pushName: info.pushName }, logger, this.account.identity);
    this.recorder = new Recorder(events);
    this.delivery = new Delivery(this.account, this.phone, (device) => connections.onlineConnection(device));
    this.people = new People(this.account, logger);
    this.mediaPhone = new MediaPhone(media);
    events.on('passkey', (request) => (this.lastPasskey = request));
  }

  contact(user: string): Contact | undefined {
    return this.people.findContact(user);
  }

  group(jid: string): Group | undefined {
    return this.people.findGroup(jid);
  }

  groups(): Iterable<Group> {
    return this.people.allGroups();
  }

  groupsRateLimited(): boolean {
    return this.groupQueriesLimited;
  }

  sessions(): Iterable<ClientSession> {
    return this.connections.sessions;
  }

  mediaConn(): BinaryNode | undefined {
    return this.media?.mediaConnNode();
  }

  answerMediaRetry(receipt: BinaryNode): BinaryNode {
    const { notification, retry } = this.mediaPhone.answerRetry(receipt, this.account.jid);
    this.recorder.mediaRetry(retry);
    return notification;
  }

  /** Releases every Signal party's caches. */
  close(): void {
    for (const contact of [this.phone, ...this.people.all()]) contact.close();
  }
}
