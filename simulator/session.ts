import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import {
  getAllBinaryNodeChildren,
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  getBinaryNodeChildren,
  jidDecode,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import { registrationFrom, type Account, type Device, type Registration } from './account.js';
import type { Connection } from './connection.js';
import type { Contact } from './contacts.js';
import type { Delivery } from './delivery.js';
import { answerIq } from './iq.js';
import { PasskeyCeremony, type PasskeyOptions } from './passkey.js';
import type { ClientHello } from './noise-server.js';
import { receiveOutgoing } from './outgoing.js';
import { pairSuccessNode, type LinkCodeHello } from './phone.js';
import type { Recorder } from './recorder.js';
import { answerRetryReceipt } from './retry-receipts.js';
import { faultNode, serverAck } from './stanzas.js';
import type { ConnectionInfo, Group, Logger, SimulatorEvents } from './types.js';

/** The simulator state a session works with. */
export interface SessionHost {
  readonly account: Account;
  readonly delivery: Delivery;
  readonly recorder: Recorder;
  readonly events: EventEmitter<SimulatorEvents>;
  readonly logger: Logger;
  contact(user: string): Contact | undefined;
  group(jid: string): Group | undefined;
  /** Every simulated group, and whether group queries answer `rate-overlimit` now. */
  groups(): Iterable<Group>;
  groupsRateLimited(): boolean;
  /** How long the answer to a prekey upload is held back (0: answered at once). */
  readonly preKeyUploadAnswerDelayMs: number;
  sessions(): Iterable<ClientSession>;
  /** The `<media_conn>` naming the media host, when it runs. */
  mediaConn(): BinaryNode | undefined;
  /** The phone's `mediaretry` notification answering a `<receipt type="server-error">`. */
  answerMediaRetry(receipt: BinaryNode): BinaryNode;
}

/** How many QR refs WhatsApp hands out per pairing attempt (Baileys shows one per 20-60 s). */
const QR_REFS = 6;
const now = () => String(Math.floor(Date.now() / 1000));

/**
 * The server's side of one client connection: registration (QR refs, pairing code) or login,
 * answering iqs, the offline queue, and what the client acks, receipts and sends.
 */
export class ClientSession {
  /** Set on a pairing connection: the keys the new device announced. */
  registration: Registration | undefined;
  /** QR refs handed out on this connection. */
  readonly qrRefs: string[] = [];
  /** Set once the client asked for a pairing code on this connection. */
  linkCodeHello: LinkCodeHello | undefined;
  /** The paired device logged in on this connection. */
  device: Device | undefined;
  /** True once the client got the offline marker: new messages are sent at once. */
  online = false;
  /** The passkey step of this connection's pairing, once the phone asked for one. */
  passkey: PasskeyCeremony | undefined;
  private companionFinishWaiter: ((node: BinaryNode) => void) | undefined;

  constructor(
    readonly connection: Connection,
    private readonly host: SessionHost,
  ) {
    connection.on('hello', (hello) => this.onHello(hello));
    connection.on('node', (node) => {
      this.onNode(node).catch((err) => host.logger.warn({ err, tag: node.tag }, 'simulator: failed to handle node'));
    });
  }

  /** This connection as reported in events. */
  get info(): ConnectionInfo {
    return { number: this.connection.number, ...(this.device ? { deviceJid: this.device.jid } : {}) };
  }

  /** Sends pair-success for the registering device; resolves once the client signed it, then asks for a restart (515). */
  async completePairing(advSecret: Uint8Array): Promise<Device> {
    if (!this.registration || !this.connection.isOpen) throw new Error('simulator: this connection is not pairing');
    const { account, events } = this.host;
    const device = account.addDevice(this.registration);
    try {
      const answer = await this.connection.query(pairSuccessNode(account, device, advSecret));
      if (!getBinaryNodeChild(answer, 'pair-device-sign')) throw new Error('simulator: the client did not sign pair-success');
    } catch (err) {
      account.devices.delete(device.id);
      throw err;
    }
    events.emit('paired', { deviceJid: device.jid });
    this.connection.end(faultNode(515));
    return device;
  }

  /** Runs the passkey step (docs/passkey-protocol.md) before pair-success; resolves with the client's new ADV secret. */
  verifyPasskey(oldAdvSecret: Buffer, options: PasskeyOptions): Promise<Buffer> {
    if (!this.registration || !this.connection.isOpen) throw new Error('simulator: this connection is not pairing');
    this.passkey = PasskeyCeremony.start(this.connection, this.registration, oldAdvSecret, options, this.host.events);
    return this.passkey.done;
  }

  /** Resolves with the client's `companion_finish` iq (pairing-code flow). */
  companionFinish(): Promise<BinaryNode> {
    return new Promise((resolve, reject) => {
      this.companionFinishWaiter = resolve;
      this.connection.once('close', () => reject(new Error('simulator: connection closed during code pairing')));
    });
  }

  private onHello({ payload, clientStatic }: ClientHello): void {
    if (payload.devicePairingData) {
      this.registration = registrationFrom(payload.devicePairingData, clientStatic);
      for (let i = 0; i < QR_REFS; i++) this.qrRefs.push(`2@${randomBytes(24).toString('base64')}`);
      this.connection.send({
        tag: 'iq',
        attrs: { from: 's.whatsapp.net', type: 'set', id: randomBytes(6).toString('hex') },
        content: [{ tag: 'pair-device', attrs: {}, content: this.qrRefs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
      });
      this.host.events.emit('registration', this.info);
      return;
    }
    const device = this.host.account.findDevice(String(payload.username ?? ''), payload.device ?? 0, clientStatic);
    if (!device) {
      // unknown or unlinked device: WhatsApp refuses the login, Baileys reports 401 loggedOut
      this.connection.end({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
      return;
    }
    for (const other of this.host.sessions()) {
      if (other !== this && other.device === device && other.connection.isOpen) other.connection.end(faultNode(440));
    }
    this.device = device;
    this.connection.send({ tag: 'success', attrs: { t: now(), lid: device.lidJid, location: 'sim', creation: now() } });
    this.host.events.emit('login', this.info);
  }

  private async onNode(node: BinaryNode): Promise<void> {
    switch (node.tag) {
      case 'iq':
        return this.onIq(node);
      case 'receipt': {
        const ids = [node.attrs.id ?? '', ...getBinaryNodeChildren(getBinaryNodeChild(node, 'list'), 'item').map((i) => i.attrs.id ?? '')];
        this.host.recorder.receipt({ ids, ...(node.attrs.type ? { type: node.attrs.type } : {}), attrs: node.attrs });
        if (this.device) this.host.delivery.acknowledge(this.device, ids);
        this.connection.send(serverAck(node));
        // a media re-upload request (sock.updateMediaMessage), relayed to the sender's phone
        if (node.attrs.type === 'server-error') this.connection.send(this.host.answerMediaRetry(node));
        // a message the client could not decrypt, asked for again from the sender's phone
        if (node.attrs.type === 'retry' && this.device) await answerRetryReceipt(node, this.device, this.host);
        return;
      }
      case 'ack': {
        const ack = { id: node.attrs.id ?? '', class: node.attrs.class ?? '', attrs: node.attrs };
        this.host.recorder.ack(node.attrs.error ? { ...ack, error: node.attrs.error } : ack);
        // a notification from the offline queue (lowPreKeys while offline) is kept until acked too
        if (this.device && (ack.class === 'message' || ack.class === 'notification'))
          this.host.delivery.acknowledge(this.device, [ack.id], Boolean(node.attrs.error));
        return;
      }
      case 'message': {
        const arrival = this.host.recorder.arrive();
        this.connection.send(serverAck(node));
        if (this.device) await receiveOutgoing(node, arrival, this.device, this.connection, this.host);
        return;
      }
      case 'presence':
      case 'chatstate': {
        const state = node.tag === 'chatstate' ? getAllBinaryNodeChildren(node)[0]?.tag : undefined;
        const arrival = this.host.recorder.arrive();
        this.host.recorder.presence({ tag: node.tag, attrs: node.attrs, ...(state ? { state } : {}), connection: this.connection.number, arrival });
        return;
      }
      default:
        // ib (unified_session) needs no answer
        return;
    }
  }

  private async onIq(iq: BinaryNode): Promise<void> {
    // answers to iqs we sent without waiting (pair-device) need no handling
    if (iq.attrs.type === 'result' || iq.attrs.type === 'error') return;
    const first = getAllBinaryNodeChildren(iq)[0];
    const { recorder, account } = this.host;
    recorder.iq({
      ...(iq.attrs.xmlns ? { xmlns: iq.attrs.xmlns } : {}),
      ...(iq.attrs.type ? { type: iq.attrs.type } : {}),
      ...(first ? { child: first.tag } : {}),
      node: iq,
    });
    if (iq.attrs.xmlns === 'md') return this.onMd(iq, first);
    const answer = await answerIq(iq, {
      account,
      device: this.device,
      contact: (user) => this.host.contact(user),
      group: (jid) => this.host.group(jid),
      groups: () => this.host.groups(),
      rateLimited: () => this.host.groupsRateLimited(),
      onPreKeyUpload: (count) => recorder.prekeyUpload(count),
      preKeyUploadAnswerDelayMs: this.host.preKeyUploadAnswerDelayMs,
      mediaConn: () => this.host.mediaConn(),
    });
    this.connection.send(answer);
    if (iq.attrs.xmlns === 'passive' && first?.tag === 'active') this.goOnline();
  }

  /** `passive/active` means "ready for the offline queue": drain it, then send the marker. */
  private goOnline(): void {
    const device = this.device;
    if (!device || !this.connection.isOpen) return;
    this.host.delivery.flush(device, this.connection);
    this.online = true;
    this.host.events.emit('online', this.info);
    if (device.historySyncDue) {
      this.host.delivery.sendHistorySync(device, this.connection).catch((err) => this.host.logger.warn({ err }, 'simulator: history sync failed'));
    }
  }

  /** Multi-device iqs: pairing-code stages, the passkey step and logout. */
  private onMd(iq: BinaryNode, first: BinaryNode | undefined): void {
    if (first && this.passkey?.handles(first.tag)) return this.passkey.onIq(iq, first);
    const result: BinaryNode = { tag: 'iq', attrs: { id: iq.attrs.id ?? '', type: 'result', from: 's.whatsapp.net' } };
    if (first?.tag === 'link_code_companion_reg' && first.attrs.stage === 'companion_hello') {
      const wrapped = getBinaryNodeChildBuffer(first, 'link_code_pairing_wrapped_companion_ephemeral_pub');
      const phone = jidDecode(first.attrs.jid)?.user ?? '';
      const ref = randomBytes(16).toString('hex');
      if (wrapped) this.linkCodeHello = { ref, phone, wrappedEphemeral: Buffer.from(wrapped) };
      this.connection.send({
        ...result,
        content: [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref) }] }],
      });
      this.host.events.emit('pairing-code-requested', { phone, connection: this.info });
      return;
    }
    this.connection.send(result);
    if (first?.tag === 'link_code_companion_reg' && first.attrs.stage === 'companion_finish') {
      this.companionFinishWaiter?.(iq);
    } else if (first?.tag === 'remove-companion-device' && this.device) {
      // sock.logout(): the device is gone for good
      this.host.account.devices.delete(this.device.id);
    }
  }
}
