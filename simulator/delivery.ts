import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { generateMessageIDV2, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Account, Device, PreKeyBundle } from './account.js';
import type { Connection } from './connection.js';
import type { Contact } from './contacts.js';
import { SentCopies, type SentCopy } from './sent-copies.js';
import { asOffline, editAttributeOf, encNode, mediaTypeOf, messageTypeOf, offlineMarker } from './stanzas.js';
import type { SendOptions, SendResult } from './types.js';

/**
 * Delivers messages from simulated people to the account's paired devices, as WhatsApp's server
 * does: each stanza is kept per device until the client acks or receipts it, sent at once when the
 * device is online and (re)sent from the offline queue at its next login otherwise.
 */
export class Delivery {
  /** Sends are serialised so that Signal state advances in the order stanzas go out. */
  private chain: Promise<unknown> = Promise.resolve();
  /** `group|sender|device` triples whose sender key distribution message was already sent. */
  private readonly senderKeysShared = new Set<string>();
  private readonly sent = new SentCopies();
  /**
   * `device|id` of resends whose failed copy's NACK is still due: Baileys NACKs a copy it could not
   * decrypt after its retry receipt, so that NACK (same id) must not drop the resend from the queue.
   */
  private readonly nackDue = new Set<string>();

  constructor(
    private readonly account: Account,
    /** The phone itself, as a Signal party (sends history sync to its companions). */
    private readonly phone: Contact,
    /** The connection a device is online on, if any. */
    private readonly onlineConnection: (device: Device) => Connection | undefined,
  ) {}

  /** Encrypts `message` from `from` for every paired device and sends or queues it. */
  send(from: Contact, message: proto.IMessage, opts: SendOptions = {}): Promise<SendResult> {
    const id = opts.id ?? generateMessageIDV2();
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    return this.serialised(async () => {
      const devices = [...this.account.devices.values()];
      if (!devices.length) throw new Error('simulator: no device is paired with the account yet');
      for (const device of devices) {
        const stanza = opts.group ? await this.groupStanza(device, from, message, opts) : await this.directStanza(device, from, message, opts);
        stanza.attrs = { ...stanza.attrs, id, t: String(timestamp), type: messageTypeOf(message) };
        const edit = editAttributeOf(message);
        if (edit) stanza.attrs.edit = edit;
        const notify = opts.pushName ?? from.pushName;
        if (notify) stanza.attrs.notify = notify;
        this.sent.remember(device, { from, message, group: opts.group, attrs: stanza.attrs, undecryptable: opts.undecryptable, resends: 0 });
        this.push(device, opts.offline ? asOffline(stanza) : stanza);
      }
      return { id, timestamp };
    });
  }

  /**
   * The phone's INITIAL_BOOTSTRAP history sync (inline, empty), sent after the offline marker at
   * every login until the client receipts one: without it Baileys buffers all events for 20 s after
   * its first login. It is encrypted afresh each time and kept out of the offline queue, because a
   * copy the client decrypted but did not finish processing cannot be decrypted a second time.
   */
  sendHistorySync(device: Device, connection: Connection): Promise<void> {
    const history = proto.HistorySync.encode({
      syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
      conversations: [],
      progress: 100,
    }).finish();
    const message: proto.IMessage = {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: {
          syncType: proto.Message.HistorySyncType.INITIAL_BOOTSTRAP,
          initialHistBootstrapInlinePayload: deflateSync(history),
          chunkOrder: 0,
          progress: 100,
        },
      },
    };
    return this.serialised(async () => {
      const { type, ciphertext } = await this.phone.encryptFor(device, message);
      device.historySyncId = generateMessageIDV2();
      connection.send({
        tag: 'message',
        attrs: {
          from: this.account.jid,
          id: device.historySyncId,
          t: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          category: 'peer',
        },
        content: [encNode(type, ciphertext)],
      });
    });
  }

  /**
   * A message the user typed on the phone to `to`, as WhatsApp fans it out to the companions: from
   * the account's own JID with `recipient`, a `deviceSentMessage` inside, and the phone's push name
   * in `notify`. Baileys takes the push name from it (`fromMe` with `pushName`; Baileys #2553).
   */
  sendFromPhone(to: Contact, text: string, pushName: string): Promise<SendResult> {
    const id = generateMessageIDV2();
    const timestamp = Math.floor(Date.now() / 1000);
    const message: proto.IMessage = { deviceSentMessage: { destinationJid: to.jid, message: { conversation: text } } };
    return this.serialised(async () => {
      for (const device of this.account.devices.values()) {
        const { type, ciphertext } = await this.phone.encryptFor(device, message);
        const attrs = { from: this.account.jid, recipient: to.jid, id, t: String(timestamp), type: 'text', notify: pushName };
        this.push(device, { tag: 'message', attrs, content: [encNode(type, ciphertext)] });
      }
      return { id, timestamp };
    });
  }

  /**
   * A stanza WhatsApp's server writes itself, without Signal encryption, to every paired device
   * (a view-once placeholder, a channel post): `attrs` and `content` as they go, id and time added.
   */
  sendUnencrypted(attrs: Record<string, string>, content: BinaryNode[]): Promise<SendResult> {
    const id = generateMessageIDV2();
    const timestamp = Math.floor(Date.now() / 1000);
    return this.serialised(async () => {
      const devices = [...this.account.devices.values()];
      if (!devices.length) throw new Error('simulator: no device is paired with the account yet');
      for (const device of devices) this.push(device, { tag: 'message', attrs: { ...attrs, id, t: String(timestamp) }, content });
      return { id, timestamp };
    });
  }

  /** A stanza of the server's own (a notification) to every paired device: sent at once when online, else kept for the offline queue. */
  sendServerStanza(stanza: BinaryNode): void {
    for (const device of this.account.devices.values()) this.push(device, stanza);
  }

  /** At login, once the client is ready: everything the device has not acknowledged, marked offline, then the offline marker. */
  flush(device: Device, connection: Connection): void {
    for (const stanza of device.unacked.values()) connection.send(asOffline(stanza));
    connection.send(offlineMarker(device.unacked.size));
  }

  /** The message a simulated phone sent the device with this id, if it still remembers it. */
  sentCopy(device: Device, id: string): SentCopy | undefined {
    return this.sent.find(device, id);
  }

  /**
   * The phone's answer to a retry receipt: a new session from `bundle`, then the same message (same
   * id and attributes) as a pkmsg whose `<enc count>` is the retry count. In a group it goes to the
   * device alone, pairwise, with the sender key distribution message inside, as phones do.
   */
  resend(device: Device, copy: SentCopy, count: number, bundle: PreKeyBundle): Promise<void> {
    this.nackDue.add(`${device.id}|${copy.attrs.id}`);
    return this.serialised(async () => {
      const { from, group, attrs } = copy;
      await from.restartSession(device, bundle);
      const sender = attrs.participant ?? '';
      const message = group
        ? {
            ...copy.message,
            senderKeyDistributionMessage: { groupId: group.jid, axolotlSenderKeyDistributionMessage: await from.senderKeyDistribution(group.jid, sender) },
          }
        : copy.message;
      const { type, ciphertext } = copy.undecryptable === true ? { type: 'pkmsg', ciphertext: randomBytes(64) } : await from.encryptFor(device, message);
      if (group && copy.undecryptable !== true) this.senderKeysShared.add(`${group.jid}|${sender}|${device.jid}`);
      const enc = encNode(type, ciphertext, mediaTypeOf(copy.message));
      enc.attrs.count = String(count);
      this.push(device, { tag: 'message', attrs: { ...attrs }, content: [enc] });
    });
  }

  /** Forgets stanzas the client acknowledged (`nack`: it could not process them). */
  acknowledge(device: Device, ids: readonly string[], nack = false): void {
    for (const id of ids) {
      if (!(nack && this.nackDue.delete(`${device.id}|${id}`))) device.unacked.delete(id);
    }
    if (device.historySyncId && ids.includes(device.historySyncId)) device.historySyncDue = false;
  }

  private push(device: Device, stanza: BinaryNode): void {
    device.unacked.set(stanza.attrs.id!, stanza);
    this.onlineConnection(device)?.send(stanza);
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async directStanza(device: Device, from: Contact, message: proto.IMessage, opts: SendOptions): Promise<BinaryNode> {
    const attrs: Record<string, string> =
      (opts.addressing ?? 'lid') === 'lid'
        ? { from: from.lidJid, sender_pn: from.jid, addressing_mode: 'lid' }
        : { from: from.jid, sender_lid: from.lidJid, addressing_mode: 'pn' };
    const { type, ciphertext } = opts.undecryptable ? { type: 'msg', ciphertext: randomBytes(64) } : await from.encryptFor(device, message);
    return { tag: 'message', attrs, content: [encNode(type, ciphertext, mediaTypeOf(message))] };
  }

  private async groupStanza(device: Device, from: Contact, message: proto.IMessage, opts: SendOptions): Promise<BinaryNode> {
    const group = opts.group!;
    if (!group.participants.includes(from)) throw new Error(`simulator: ${from.phone} is not in group ${group.id}`);
    const lid = (opts.addressing ?? 'lid') === 'lid';
    const sender = lid ? from.lidJid : from.jid;
    const attrs: Record<string, string> = lid
      ? { from: group.jid, participant: sender, participant_pn: from.jid, addressing_mode: 'lid' }
      : { from: group.jid, participant: sender, participant_lid: from.lidJid, addressing_mode: 'pn' };
    if (opts.undecryptable) {
      return { tag: 'message', attrs, content: [encNode('skmsg', randomBytes(64))] };
    }
    const content: BinaryNode[] = [];
    const { ciphertext, senderKeyDistributionMessage } = await from.encryptForGroup(group.jid, sender, message);
    // like a real sender, distribute the sender key pairwise to each device once
    const shareKey = `${group.jid}|${sender}|${device.jid}`;
    if (!this.senderKeysShared.has(shareKey)) {
      const skdm = await from.encryptFor(device, {
        senderKeyDistributionMessage: { groupId: group.jid, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage },
      });
      content.push(encNode(skdm.type, skdm.ciphertext));
      this.senderKeysShared.add(shareKey);
    }
    content.push(encNode('skmsg', ciphertext, mediaTypeOf(message)));
    return { tag: 'message', attrs, content };
  }
}
