import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { generateMessageIDV2, type BinaryNode, type proto } from '@whiskeysockets/baileys';
import { WebSocketServer, type WebSocket } from 'ws';
import { Account, accountWithDefaults, pairedDevice, type Device, type PairedDevice } from './account.js';
import { Connection } from './connection.js';
import { ContactActions } from './contact-actions.js';
import type {
  DeleteOptions,
  EditOptions,
  PollRef,
  PollSpec,
  ReactOptions,
  ReceiptOptions,
  ReceiptType,
  SentPoll,
  VoteOptions,
} from './contact-action-types.js';
import { Contact } from './contacts.js';
import { Delivery } from './delivery.js';
import { createdNotification, membersNotification, subjectNotification } from './group-stanzas.js';
import { listenOnLoopback, portOf } from './loopback-server.js';
import { MediaHost } from './media-host.js';
import { MediaPhone } from './media-phone.js';
import type { MediaSpec, SendMediaResult } from './media-types.js';
import { makeServerIdentity, type ServerIdentity } from './noise-server.js';
import { pairWithCode, pairWithQr, type PairOptions } from './pairing.js';
import type { PasskeyRequest } from './passkey.js';
import { People } from './people.js';
import { Recorder } from './recorder.js';
import { ClientSession, type SessionHost } from './session.js';
import { silentLogger } from './silent-logger.js';
import { faultNode, preKeyLowNotification } from './stanzas.js';
import type {
  AccountInfo,
  BurstItem,
  ConnectionInfo,
  ContactSpec,
  Group,
  GroupSpec,
  Logger,
  OutgoingMessage,
  Recorded,
  SendOptions,
  SendResult,
  SimulatorEvents,
  SimulatorOptions,
  StreamFault,
} from './types.js';
import { channelPost, viewOnceStub } from './unfetchable-media.js';
import { waitForEvent } from './waits.js';

const WS_PATH = '/ws/chat';
/** Default guard for every wait: generous for a loopback server, short enough to fail a test. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A loopback WhatsApp: plays the server and the people around one account, for the real, unmodified
 * Baileys client (`waWebSocketUrl: sim.url`). State lives in memory for the simulator's lifetime.
 */
export class WaSimulator {
  /** Everything that happens, as typed events. */
  readonly events = new EventEmitter<SimulatorEvents>();
  /** The WhatsApp account the paired device belongs to. */
  readonly account: AccountInfo;
  private readonly state: Account;
  /** The account's own phone as a Signal party. */
  private readonly phone: Contact;
  private readonly recorder = new Recorder(this.events);
  private readonly delivery: Delivery;
  private readonly sessions = new Set<ClientSession>();
  private readonly people: People;
  private readonly actions: ContactActions;
  private readonly identity: ServerIdentity = makeServerIdentity();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly host: SessionHost;
  private readonly mediaPhone: MediaPhone;
  private acceptedConnections = 0;
  private refuseUntil = 0;
  private lastPasskey: PasskeyRequest | undefined;
  private groupQueriesLimited = false;

  private constructor(
    private readonly server: Server,
    private readonly logger: Logger,
    account: AccountInfo,
    /** The HTTPS media host (CDN), when started with `{ media: true }`. */
    readonly media: MediaHost | undefined,
  ) {
    this.state = new Account(account);
    this.account = { phone: account.phone, lid: account.lid, pushName: account.pushName };
    this.phone = new Contact({ phone: account.phone, lid: account.lid, pushName: account.pushName }, logger, this.state.identity);
    this.delivery = new Delivery(this.state, this.phone, (device) => this.onlineSession(device)?.connection);
    this.mediaPhone = new MediaPhone(media);
    this.people = new People(this.state, logger);
    this.host = {
      account: this.state,
      delivery: this.delivery,
      recorder: this.recorder,
      events: this.events,
      logger,
      contact: (user) => this.people.findContact(user),
      group: (jid) => this.people.findGroup(jid),
      groups: () => this.people.allGroups(),
      groupsRateLimited: () => this.groupQueriesLimited,
      sessions: () => this.sessions,
      mediaConn: () => media?.mediaConnNode(),
      answerMediaRetry: (receipt) => {
        const { notification, retry } = this.mediaPhone.answerRetry(receipt, this.state.jid);
        this.recorder.mediaRetry(retry);
        return notification;
      },
    };
    this.actions = new ContactActions(this.host);
    this.events.on('passkey', (request) => (this.lastPasskey = request));
    server.on('upgrade', (req, socket, head) => {
      const refused = Date.now() < this.refuseUntil;
      if (refused) this.events.emit('refused');
      if (refused || new URL(req.url ?? '/', 'http://sim').pathname !== WS_PATH) {
        socket.destroy(); // the client sees "socket hang up"
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** Starts the simulator on 127.0.0.1 (only), with the media host if `options.media`. */
  static async start(options: SimulatorOptions = {}): Promise<WaSimulator> {
    const media = options.media ? await MediaHost.start() : undefined;
    const server = await listenOnLoopback(options.port ?? 0).catch(async (err: unknown) => {
      await media?.stop();
      throw err;
    });
    return new WaSimulator(server, options.logger ?? silentLogger, accountWithDefaults(options.account), media);
  }

  /** What a Baileys client gets as `waWebSocketUrl`. */
  get url(): string {
    return `ws://127.0.0.1:${portOf(this.server)}${WS_PATH}`;
  }

  /** Client connections accepted so far (refused ones excluded). */
  get connectionCount(): number {
    return this.acceptedConnections;
  }

  /** What the client sent, for assertions. */
  get recorded(): Recorded {
    return this.recorder;
  }

  /** Devices currently paired with the account. */
  get devices(): PairedDevice[] {
    return [...this.state.devices.values()].map(pairedDevice);
  }

  /** The phone scans the QR Baileys emitted (`connection.update.qr`); resolves once the client signed pair-success (after the passkey step with `options.passkey`). A 515 restart follows. */
  async pairWithQr(qr: string, options?: PairOptions): Promise<PairedDevice> {
    return pairedDevice(await pairWithQr(this.host, qr, options));
  }

  /** The user types the code `sock.requestPairingCode(sim.account.phone)` returned; resolves like `pairWithQr`. */
  async pairWithCode(code: string, options?: PairOptions): Promise<PairedDevice> {
    return pairedDevice(await pairWithCode(this.host, code, options));
  }

  /** The pending (or last) passkey step: its request options and, once known, the phone's confirmation code. */
  get passkeyRequest(): PasskeyRequest | undefined {
    return this.lastPasskey;
  }

  /**
   * Logs every paired device out: `<stream:error code="401"><conflict type="device_removed"/>` on
   * its connection, as WhatsApp sends when the phone removes a linked device or drops it after
   * about 14 days offline (waha #2136 shows the stanza; mautrix-whatsapp #514 quotes the 14-day
   * rule). Their credentials are forgotten, so logging in again is refused with `<failure reason="401">`.
   */
  async unlink(): Promise<void> {
    for (const session of this.sessions) if (session.device) session.connection.end(faultNode(401));
    this.state.devices.clear();
  }

  /** A simulated person with their own Signal identity; the same phone returns the same contact. */
  contact(spec: ContactSpec): Contact {
    return this.people.contact(spec);
  }

  /** A group chat of the account with these people. */
  group(spec: GroupSpec): Group {
    return this.people.group(spec);
  }

  /** A group made now with the account in it (by `author`, else by the account): the client gets the `create` notification (groups.upsert). */
  createGroup(spec: GroupSpec, author?: Contact): Group {
    const group = this.people.group(spec);
    this.notify(createdNotification(group, this.state, author));
    return group;
  }

  /** `author` (else the account) gives the group a new subject: the client gets the `subject` notification (groups.update). */
  renameGroup(group: Group, subject: string, author?: Contact): void {
    group.subject = subject;
    this.notify(subjectNotification(group, this.state, author));
  }

  /** `author` adds `member` to the group: the client gets the `add` notification (group-participants.update). */
  addToGroup(group: Group, member: Contact, author?: Contact): void {
    group.participants.push(member);
    this.notify(membersNotification(group, this.state, 'add', member, author));
  }

  /** The account leaves the group on the phone: the `remove` notification of itself; its metadata then answers 403. */
  leaveGroup(group: Group): void {
    group.accountMember = false;
    this.notify(membersNotification(group, this.state, 'remove', 'account'));
  }

  /** While on, every group query (groupMetadata, groupFetchAllParticipating) is answered `rate-overlimit` (see group-stanzas.ts). */
  limitGroupQueries(on: boolean): void {
    this.groupQueriesLimited = on;
  }

  /** `from` sends a text (`conversation`) message. */
  sendText(from: Contact, text: string, opts?: SendOptions): Promise<SendResult> {
    return this.sendMessage(from, { conversation: text }, opts);
  }

  /** `from` sends any message; delivered at once if the device is online, else queued for its next login. */
  sendMessage(from: Contact, message: proto.IMessage, opts?: SendOptions): Promise<SendResult> {
    return this.delivery.send(from, message, opts);
  }

  /** `from` sends a file, encrypted and put on the media host as WhatsApp's apps do (needs `{ media: true }`). */
  async sendMedia(from: Contact, spec: MediaSpec, opts: SendOptions = {}): Promise<SendMediaResult> {
    const id = opts.id ?? generateMessageIDV2();
    const { message, sha256 } = this.mediaPhone.prepare(id, spec);
    return { ...(await this.sendMessage(from, message, { ...opts, id })), message, sha256 };
  }

  /** `from` sends a view-once photo or video: the linked device gets only the placeholder (see `viewOnceStub`). */
  sendViewOnceStub(from: Contact): Promise<SendResult> {
    const { attrs, content } = viewOnceStub(from);
    return this.delivery.sendUnencrypted(attrs, content);
  }

  /** A channel the account follows posts a file, without a media key (see `channelPost`); `channel` is its `…@newsletter` JID. */
  async sendChannelMedia(channel: string, spec: MediaSpec): Promise<SendResult & { message: proto.IMessage }> {
    if (!this.media) throw new Error('simulator: media needs the media host: WaSimulator.start({ media: true })');
    const { attrs, content, message } = channelPost(this.media, channel, spec);
    return { ...(await this.delivery.sendUnencrypted(attrs, content)), message };
  }

  /** Sends `n` messages back to back without waiting for acks; resolves with their ids in order. */
  async sendMany(n: number, build: (i: number) => BurstItem): Promise<string[]> {
    const sends: Promise<SendResult>[] = [];
    for (let i = 0; i < n; i++) {
      const item = build(i);
      sends.push(this.delivery.send(item.from, item.message ?? { conversation: item.text ?? '' }, item.opts));
    }
    return (await Promise.all(sends)).map((r) => r.id);
  }

  /** The user writes `text` to `to` on the phone under the push name `pushName` (the companion learns the name from it). */
  sendFromPhone(to: Contact, text: string, pushName: string): Promise<SendResult> {
    return this.delivery.sendFromPhone(to, text, pushName);
  }

  /**
   * The server says the device's one-time prekeys run low (`<notification type="encrypt"><count>`),
   * as WhatsApp does once senders used them up: Baileys uploads a new batch (a creds.update without
   * `me`, where rc14 sent a presence without a type; Baileys #2553).
   */
  lowPreKeys(): void {
    for (const connection of this.openConnections()) connection.send(preKeyLowNotification());
  }

  /** Resolves once the client has uploaded prekeys `n` times in all (the first login's upload counts). */
  async waitForPreKeyUpload(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const check = () => (this.recorder.prekeyUploads.length >= n ? true : undefined);
    await waitForEvent(this.events, ['prekey-upload'], check, timeoutMs, `prekey upload #${n}`);
  }

  /** `from` edits their message `targetId` to `newText` (protocolMessage MESSAGE_EDIT). */
  editMessage(from: Contact, targetId: string, newText: string, opts?: EditOptions): Promise<SendResult> {
    return this.actions.edit(from, targetId, newText, opts);
  }

  /** `from` deletes their message for everyone (REVOKE); with `opts.author`, a group admin deletes that member's message. */
  deleteMessage(from: Contact, targetId: string, opts?: DeleteOptions): Promise<SendResult> {
    return this.actions.delete(from, targetId, opts);
  }

  /** `from` reacts to a message of `opts.targetAuthor` (default: the account); `''` removes the reaction. */
  react(from: Contact, targetId: string, emoji: string, opts?: ReactOptions): Promise<SendResult> {
    return this.actions.react(from, targetId, emoji, opts);
  }

  /** `from` creates a poll; keep the returned `secret` to vote on it. */
  sendPoll(from: Contact, poll: PollSpec, opts?: SendOptions): Promise<SentPoll> {
    return this.actions.sendPoll(from, poll, opts);
  }

  /** `from` votes on a poll (an encrypted pollUpdateMessage); `[]` withdraws the vote. */
  vote(from: Contact, poll: PollRef, selected: string[], opts?: VoteOptions): Promise<SendResult> {
    return this.actions.vote(from, poll, selected, opts);
  }

  /** `from` read (or played) messages the client sent them (or the group); needs the client online. */
  sendReceipt(from: Contact, messageIds: string[], type: ReceiptType, opts?: ReceiptOptions): void {
    this.actions.receipt(from, messageIds, type, opts);
  }

  /** Resolves when the client has acked or receipted every one of these message ids. */
  waitForAcks(ids: Iterable<string>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return this.recorder.waitForAcks(ids, timeoutMs);
  }

  /** Resolves when the current (or next) connection is logged in and got the offline marker. */
  waitForOnline(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ConnectionInfo> {
    const check = () => [...this.sessions].find((s) => s.online && s.connection.isOpen)?.info;
    return waitForEvent(this.events, ['online'], check, timeoutMs, 'a client to come online');
  }

  /** Resolves when connection number `n` (1-based) has been accepted. */
  async waitForConnection(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const check = () => (this.acceptedConnections >= n ? true : undefined);
    await waitForEvent(this.events, ['connection'], check, timeoutMs, `connection #${n}`);
  }

  /** The next message the client sent (matching `predicate`), decrypted by its simulated recipient; each is handed out once. */
  waitForOutgoing(predicate: (m: OutgoingMessage) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OutgoingMessage> {
    return this.recorder.nextOutgoing(predicate, timeoutMs);
  }

  /** Sends the fault stanza for `code` on every open connection; the client closes with that status code. */
  streamError(code: StreamFault): void {
    for (const connection of this.openConnections()) connection.end(faultNode(code));
  }

  /** Drops every open connection at once: the client reports 428 (connectionClosed). */
  closeSocket(): void {
    for (const connection of this.openConnections()) connection.close();
  }

  /** Open connections stop answering, pings included: the client reports 408 after keepAliveIntervalMs + 5 s. */
  goSilent(): void {
    for (const connection of this.openConnections()) connection.goSilent();
  }

  /** Resets new connections for `ms`: the client's WebSocket fails ("socket hang up") and Baileys reports 408. */
  refuseConnections(ms: number): void {
    this.refuseUntil = Date.now() + ms;
  }

  /** Closes every connection and the server; nothing keeps the process alive afterwards. */
  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const contact of [this.phone, ...this.people.all()]) contact.close();
    await this.media?.stop();
  }

  private accept(ws: WebSocket): void {
    const connection = new Connection(++this.acceptedConnections, ws, this.identity, this.logger);
    const session = new ClientSession(connection, this.host);
    this.sessions.add(session);
    connection.on('close', () => {
      this.sessions.delete(session);
      this.events.emit('disconnect', session.info);
    });
    this.events.emit('connection', session.info);
  }

  private onlineSession(device: Device): ClientSession | undefined {
    return [...this.sessions].find((s) => s.device === device && s.online && s.connection.isOpen);
  }

  /** A server notification to every logged-in connection. */
  private notify(notification: BinaryNode): void {
    for (const session of this.sessions) if (session.device && session.connection.isOpen) session.connection.send(notification);
  }

  private openConnections(): Connection[] {
    return [...this.sessions].map((s) => s.connection).filter((c) => c.isOpen);
  }
}
