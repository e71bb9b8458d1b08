import type { EventEmitter } from 'node:events';
import type {
  BaileysEventMap,
  GroupMetadata,
  MessageUpsertType,
  MessageUserReceiptUpdate,
  WAMessage,
  WAMessageUpdate,
  WASocket,
} from '@whiskeysockets/baileys';

/** What the current socket receives, handed on synchronously, before anything else is done with it. */
export interface InboundEvents {
  /** Every messages.upsert batch. */
  messages: [messages: WAMessage[], type: MessageUpsertType];
  /** Changes to messages (1:1 receipts of sent ones arrive as a status here). */
  updates: [updates: WAMessageUpdate[]];
  /** Group members' receipts of sent messages, one per member. */
  receipts: [receipts: MessageUserReceiptUpdate[]];
  /** Groups the account was added to or created (with their metadata). */
  groupsUpsert: [groups: GroupMetadata[]];
  /** Changes to groups (a new subject, …). */
  groupsUpdate: [updates: Partial<GroupMetadata>[]];
  /** Members added, removed (the account leaving too), promoted or demoted. */
  groupParticipants: [update: BaileysEventMap['group-participants.update']];
}

/** Hands what one socket receives on to `inbound`, synchronously, while it is the current socket. */
export function relayInbound(socket: WASocket, inbound: EventEmitter<InboundEvents>, isCurrent: () => boolean): void {
  socket.ev.on('messages.upsert', ({ messages, type }) => {
    // A socket that is no longer current cannot acknowledge anything: WhatsApp delivers these
    // again on the new one, so they are refused here (not stored, session rolled back) to keep their order.
    if (!isCurrent()) {
      for (const msg of messages) (msg as WAMessage & { notStored?: boolean }).notStored = true;
      return;
    }
    inbound.emit('messages', messages, type);
  });
  socket.ev.on('messages.update', (updates) => isCurrent() && inbound.emit('updates', updates));
  socket.ev.on('message-receipt.update', (receipts) => isCurrent() && inbound.emit('receipts', receipts));
  socket.ev.on('groups.upsert', (groups) => isCurrent() && inbound.emit('groupsUpsert', groups));
  socket.ev.on('groups.update', (updates) => isCurrent() && inbound.emit('groupsUpdate', updates));
  socket.ev.on('group-participants.update', (update) => isCurrent() && inbound.emit('groupParticipants', update));
}
