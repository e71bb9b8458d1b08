import { isJidGroup, proto, type MessageUserReceiptUpdate, type WAMessage, type WAMessageKey, type WAMessageUpdate } from '@whiskeysockets/baileys';
import type { Destination } from '../delivery/destination.js';
import type { AcceptedMessage, Outbox } from '../delivery/outbox.js';
import { personFields } from '../intake/normalise.js';
import type { AccountIdentity } from '../whatsapp/jid.js';
import type { Logger } from '../logging/logger.js';
import type { DeliveryStatus, StatusPayload } from '../payload/event-payload.js';

export interface StatusEventsDeps {
  outbox: Outbox;
  destinations: readonly Destination[];
  /** Receipts are reported only for messages sent through /api/send. */
  sentByBridge(messageId: string): boolean;
  account(): AccountIdentity;
  logger: Logger;
}

const { DELIVERY_ACK, READ, PLAYED } = proto.WebMessageInfo.Status;

const STATUS_OF: Partial<Record<number, DeliveryStatus>> = { [DELIVERY_ACK]: 'delivered', [READ]: 'read', [PLAYED]: 'played' };

/** Each status implies the ones before it: Baileys' event buffer keeps only the last of several, and a played note was read. */
const STATUS_ORDER: readonly DeliveryStatus[] = ['delivered', 'read', 'played'];

/** A receipt as both of Baileys' events tell it. */
interface Receipt {
  key: WAMessageKey;
  status: DeliveryStatus;
  recipientJid: string;
  /** Unix seconds. */
  at: number;
}

/**
 * Turns recipients' receipts for the app's own messages into `status` bodies (delivered, read,
 * played) and commits them to the outbox in the chat's order. 1:1 receipts come as Baileys'
 * `messages.update` with a status, group receipts per participant as `message-receipt.update`.
 * Each (message, status, recipient) is stored once, however often WhatsApp repeats it, and a
 * status reports the ones before it that were not reported yet (read: delivered too), in order.
 */
export class StatusEvents {
  constructor(private readonly deps: StatusEventsDeps) {}

  /**
   * Baileys keeps its event buffer open for 100 ms after a send: a receipt arriving meanwhile is
   * folded into the upsert of the sent message (`status`, `userReceipt`) and never emitted on its own.
   */
  fromOwnUpserts(messages: readonly WAMessage[]): void {
    const echoes = messages.filter((m) => m.key.fromMe && m.key.id && this.deps.sentByBridge(m.key.id));
    this.fromUpdates(echoes.filter((m) => typeof m.status === 'number').map((m) => ({ key: m.key, update: { status: m.status } })));
    this.fromReceipts(echoes.flatMap((m) => (m.userReceipt ?? []).map((receipt) => ({ key: m.key, receipt }))));
  }

  fromUpdates(updates: readonly WAMessageUpdate[]): void {
    const now = Math.floor(Date.now() / 1000);
    const receipts: Receipt[] = [];
    for (const { key, update } of updates) {
      const status = typeof update.status === 'number' ? STATUS_OF[update.status] : undefined;
      if (status && key.remoteJid && !isJidGroup(key.remoteJid)) receipts.push({ key, status, recipientJid: key.remoteJid, at: now });
    }
    this.commit(receipts);
  }

  fromReceipts(updates: readonly MessageUserReceiptUpdate[]): void {
    const receipts: Receipt[] = [];
    for (const { key, receipt } of updates) {
      if (!receipt.userJid) continue;
      const [status, at] = receipt.playedTimestamp
        ? (['played', receipt.playedTimestamp] as const)
        : receipt.readTimestamp
          ? (['read', receipt.readTimestamp] as const)
          : (['delivered', receipt.receiptTimestamp] as const);
      receipts.push({ key, status, recipientJid: receipt.userJid, at: Number(at ?? Math.floor(Date.now() / 1000)) });
    }
    this.commit(receipts);
  }

  private commit(receipts: readonly Receipt[]): void {
    const mine = receipts.filter((r) => r.key.fromMe && r.key.id && this.deps.sentByBridge(r.key.id));
    if (mine.length === 0 || this.deps.destinations.length === 0) return;
    const account = this.deps.account();
    const entries: AcceptedMessage[] = [];
    for (const receipt of mine) {
      for (const status of STATUS_ORDER.slice(0, STATUS_ORDER.indexOf(receipt.status) + 1)) {
        const payload = statusPayload({ ...receipt, status }, account);
        const bodies: AcceptedMessage['bodies'] = {};
        for (const d of this.deps.destinations) {
          const body = d.bodyFor({ payload, rawType: null });
          if (body !== null) bodies[d.name] = body;
        }
        entries.push({ chat: payload.chat, messageId: `status:${payload.id}:${status}:${payload.recipient}`, bodies });
      }
    }
    try {
      const touched = this.deps.outbox.accept(entries, Date.now());
      for (const d of this.deps.destinations) {
        const chats = touched.get(d.name);
        if (chats) d.wake(chats);
      }
    } catch (error) {
      // Receipts are acknowledged by Baileys itself: one that cannot be stored is not sent again.
      this.deps.logger.warn(`Could not store ${entries.length} receipt(s) of sent messages: ${(error as Error).message}`);
    }
  }
}

function statusPayload({ key, status, recipientJid, at }: Receipt, account: AccountIdentity): StatusPayload {
  const isGroup = Boolean(isJidGroup(key.remoteJid!));
  const recipient = personFields(recipientJid, account).sender;
  return {
    sender: account.phoneJid ?? account.lidJid ?? '',
    is_group: isGroup,
    chat: isGroup ? key.remoteJid! : recipient,
    timestamp: at,
    push_name: null,
    sender_phone: account.phoneJid?.split('@')[0] ?? null,
    sender_lid: account.lidJid,
    from_me: true,
    event: 'status',
    id: key.id!,
    status,
    recipient,
  };
}
