import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { proto } from '@whiskeysockets/baileys';
import { accountWithDefaults, pairedDevice, type PairedDevice } from './account.js';
import { ClientConnections, WS_PATH } from './client-connections.js';
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
import type { Contact } from './contacts.js';
import { ContactSends } from './contact-sends.js';
import { GroupChanges } from './group-changes.js';
import { listenOnLoopback, portOf } from './loopback-server.js';
import { MediaHost } from './media-host.js';
import type { MediaSpec, SendMediaResult } from './media-types.js';
import { pairWithCode, pairWithQr, type PairOptions } from './pairing.js';
import type { PasskeyRequest } from './passkey.js';
import { ClientSession } from './session.js';
import { SimulatedWorld } from './simulated-world.js';
import { silentLogger } from './silent-logger.js';
import { preKeyLowNotification } from './stanzas.js';
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
  private readonly connections: ClientConnections;
  private readonly world: SimulatedWorld;
  private readonly actions: ContactActions;
  private readonly sends: ContactSends;
  private readonly groupChanges: GroupChanges;

  private constructor(
    private readonly server: Server,
    logger: Logger,
    account: AccountInfo,
    /** The HTTPS media host (CDN), when started with `{ media: true }`. */
    readonly media: MediaHost | undefined,
  ) {
    this.account = { phone: account.phone, lid: account.lid, pushName: account.pushName };
    this.connections = new ClientConnections(server, this.events, logger, (connection) => new ClientSession(connection, this.world));
    this.world = new SimulatedWorld(account, this.events, logger, this.connections, media);
    this.actions = new ContactActions(this.world);
    this.sends = new ContactSends(this.world.delivery, this.world.mediaPhone, media);
    this.groupChanges = new GroupChanges(this.world.people, this.world.account, (notification) => this.connections.notify(notification));
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
    return this.connections.count;
  }

  /** What the client sent, for assertions. */
  get recorded(): Recorded {
    return this.world.recorder;
  }

  /** Devices currently paired with the account. */
  get devices(): PairedDevice[] {
    return [...this.world.account.devices.values()].map(pairedDevice);
  }

  /** The phone scans the QR Baileys emitted (`connection.update.qr`); resolves once the client signed pair-success (after the passkey step with `options.passkey`). A 515 restart follows. */
  async pairWithQr(qr: string, options?: PairOptions): Promise<PairedDevice> {
    return pairedDevice(await pairWithQr(this.world, qr, options));
  }

  /** The user types the code `sock.requestPairingCode(sim.account.phone)` returned; resolves like `pairWithQr`. */
  async pairWithCode(code: string, options?: PairOptions): Promise<PairedDevice> {
    return pairedDevice(await pairWithCode(this.world, code, options));
  }

  /** The pending (or last) passkey step: its request options and, once known, the phone's confirmation code. */
  get passkeyRequest(): PasskeyRequest | undefined {
    return this.world.lastPasskey;
  }

  /**
   * Logs every paired device out: `<stream:error code="401"><conflict type="device_removed"/>` on
   * its connection, as WhatsApp sends when the phone removes a linked device or drops it after
   * about 14 days offline (waha #2136 shows the stanza; mautrix-whatsapp #514 quotes the 14-day
   * rule). Their credentials are forgotten, so logging in again is refused with `<failure reason="401">`.
   */
  async unlink(): Promise<void> {
    this.connections.removeDevices();
    this.world.account.devices.clear();
  }

  /** A simulated person with their own Signal identity; the same phone returns the same contact. */
  contact(spec: ContactSpec): Contact {
    return this.world.people.contact(spec);
  }

  /** A group chat of the account with these people. */
  group(spec: GroupSpec): Group {
    return this.world.people.group(spec);
  }

  /** A group made now with the account in it (by `author`, else by the account): the client gets the `create` notification (groups.upsert). */
  createGroup(spec: GroupSpec, author?: Contact): Group {
    return this.groupChanges.create(spec, author);
  }

  /** `author` (else the account) gives the group a new subject: the client gets the `subject` notification (groups.update). */
  renameGroup(group: Group, subject: string, author?: Contact): void {
    this.groupChanges.rename(group, subject, author);
  }

  /** `author` adds `member` to the group: the client gets the `add` notification (group-participants.update). */
  addToGroup(group: Group, member: Contact, author?: Contact): void {
    this.groupChanges.add(group, member, author);
  }

  /** The account leaves the group on the phone: the `remove` notification of itself; its metadata then answers 403. */
  leaveGroup(group: Group): void {
    this.groupChanges.leave(group);
  }

  /** While on, every group query (groupMetadata, groupFetchAllParticipating) is answered `rate-overlimit` (see group-stanzas.ts). */
  limitGroupQueries(on: boolean): void {
    this.world.groupQueriesLimited = on;
  }

  /** `from` sends a text (`conversation`) message. */
  sendText(from: Contact, text: string, opts?: SendOptions): Promise<SendResult> {
    return this.sendMessage(from, { conversation: text }, opts);
  }

  /** `from` sends any message; delivered at once if the device is online, else queued for its next login. */
  sendMessage(from: Contact, message: proto.IMessage, opts?: SendOptions): Promise<SendResult> {
    return this.world.delivery.send(from, message, opts);
  }

  /** `from` sends a file, encrypted and put on the media host as WhatsApp's apps do (needs `{ media: true }`). */
  sendMedia(from: Contact, spec: MediaSpec, opts?: SendOptions): Promise<SendMediaResult> {
    return this.sends.file(from, spec, opts);
  }

  /** `from` sends a view-once photo or video: the linked device gets only the placeholder (see `viewOnceStub`). */
  sendViewOnceStub(from: Contact): Promise<SendResult> {
    return this.sends.viewOnceStub(from);
  }

  /** A channel the account follows posts a file, without a media key (see `channelPost`); `channel` is its `…@newsletter` JID. */
  sendChannelMedia(channel: string, spec: MediaSpec): Promise<SendResult & { message: proto.IMessage }> {
    return this.sends.channelFile(channel, spec);
  }

  /** Sends `n` messages back to back without waiting for acks; resolves with their ids in order. */
  sendMany(n: number, build: (i: number) => BurstItem): Promise<string[]> {
    return this.sends.burst(n, build);
  }

  /** The user writes `text` to `to` on the phone under the push name `pushName` (the companion learns the name from it). */
  sendFromPhone(to: Contact, text: string, pushName: string): Promise<SendResult> {
    return this.world.delivery.sendFromPhone(to, text, pushName);
  }

  /**
   * The server says the device's one-time prekeys run low (`<notification type="encrypt"><count>`),
   * as WhatsApp does once senders used them up: Baileys uploads a new batch (a creds.update without
   * `me`, where rc14 sent a presence without a type; Baileys #2553). Sent at once when the device
   * is online, else kept in the offline queue for its next login, in the order of the calls.
   */
  lowPreKeys(): void {
    this.world.delivery.sendServerStanza(preKeyLowNotification());
  }

  /** The server answers prekey uploads `ms` late (0: at once), as a slow server under load does. */
  delayPreKeyUploadAnswers(ms: number): void {
    this.world.preKeyUploadAnswerDelayMs = ms;
  }

  /** Resolves once the client has uploaded prekeys `n` times in all (the first login's upload counts). */
  async waitForPreKeyUpload(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.world.recorder.waitForPreKeyUploads(n, timeoutMs);
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
    return this.world.recorder.waitForAcks(ids, timeoutMs);
  }

  /** Resolves when the current (or next) connection is logged in and got the offline marker. */
  waitForOnline(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ConnectionInfo> {
    return this.connections.waitForOnline(timeoutMs);
  }

  /** Resolves when connection number `n` (1-based) has been accepted. */
  async waitForConnection(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.connections.waitForConnection(n, timeoutMs);
  }

  /** The next message the client sent (matching `predicate`), decrypted by its simulated recipient; each is handed out once. */
  waitForOutgoing(predicate: (m: OutgoingMessage) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OutgoingMessage> {
    return this.world.recorder.nextOutgoing(predicate, timeoutMs);
  }

  /** Sends the fault stanza for `code` on every open connection; the client closes with that status code. */
  streamError(code: StreamFault): void {
    this.connections.streamError(code);
  }

  /** Drops every open connection at once: the client reports 428 (connectionClosed). */
  closeSocket(): void {
    for (const connection of this.connections.open()) connection.close();
  }

  /** Open connections stop answering, pings included: the client reports 408 after keepAliveIntervalMs + 5 s. */
  goSilent(): void {
    for (const connection of this.connections.open()) connection.goSilent();
  }

  /** Resets new connections for `ms`: the client's WebSocket fails ("socket hang up") and Baileys reports 408. */
  refuseConnections(ms: number): void {
    this.connections.refuseFor(ms);
  }

  /** Closes every connection and the server; nothing keeps the process alive afterwards. */
  async stop(): Promise<void> {
    this.connections.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.world.close();
    await this.media?.stop();
  }
}
