import type { AnyMessageContent, WAMessageKey } from '@whiskeysockets/baileys';
import type { RecentMessages } from '../recent-messages.js';
import { SendError } from '../send-error.js';
import type { SentKind, SentMessageIds } from '../sent-messages.js';
import type { MessageAction } from './message-action.js';

/** WhatsApp's apps offer "Edit" for 15 minutes after sending; later edits are not shown. */
const EDIT_WINDOW_MS = 15 * 60 * 1000;
/** "Delete for everyone" is offered for about two days after sending (WhatsApp's help centre). */
const DELETE_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;

/** What an action becomes: a message about another one, or a read receipt. */
export type ActionPlan =
  | { readonly kind: 'send'; readonly chat: string; readonly content: AnyMessageContent; readonly sent: SentKind }
  | { readonly kind: 'read'; readonly key: WAMessageKey };

export interface ActionContext {
  /** Received messages (the last 1000 since the app started): their keys carry sender and chat. */
  readonly recent: RecentMessages;
  /** What the bridge sent (45 days), with chat and kind. */
  readonly sentIds: SentMessageIds;
  /** Whether two JIDs name the same chat (a contact's phone JID and LID are one chat). */
  sameChat(a: string, b: string): Promise<boolean>;
  readonly now: number;
}

/**
 * Finds the message an action is about and checks it: a reaction to a received message or one
 * the bridge sent; a read mark only on a received message; an edit (text only, within 15 minutes)
 * or a deletion (within two days) only of a message the bridge sent. `chat` is the `to` of the
 * request, which must be the message's chat.
 */
export async function planAction(action: MessageAction, chat: string, ctx: ActionContext): Promise<ActionPlan> {
  // The bridge's own sends are in `recent` too (Baileys emits them): the state file says what they were.
  const sent = ctx.sentIds.find(action.id);
  const received = sent ? undefined : ctx.recent.find(action.id);
  if (received) {
    const key = received.key;
    const fromPhone = !!key.fromMe; // the account's own message, typed on the phone
    const chats = [key.remoteJid, key.remoteJidAlt].filter((j): j is string => !!j);
    if (!(await anySame(chats, chat, ctx))) throw new SendError(409, `Message ${action.id} is in chat ${key.remoteJid}, not ${chat}: send with that 'to'.`);
    if (action.kind === 'edit' || action.kind === 'delete')
      throw new SendError(
        403,
        `Message ${action.id} was ${fromPhone ? 'sent from the phone' : 'received'}, not sent by this app: only messages the app sent can be ${action.kind === 'edit' ? 'edited' : 'deleted'}.`,
      );
    if (action.kind === 'read' && fromPhone) throw new SendError(403, `Message ${action.id} is the account's own: only received messages can be marked read.`);
    const target: WAMessageKey = { remoteJid: key.remoteJid, fromMe: fromPhone, id: key.id, ...(key.participant ? { participant: key.participant } : {}) };
    if (action.kind === 'read') return { kind: 'read', key: target };
    return { kind: 'send', chat: key.remoteJid!, content: { react: { text: action.emoji, key: target } }, sent: 'reaction' };
  }
  if (!sent) {
    const recent = 'among the last 1000 messages received since the app started';
    const own = 'one this app sent in the last 45 days';
    const why = action.kind === 'read' ? `not ${recent}` : action.kind === 'reaction' ? `neither ${recent} nor ${own}` : `not ${own}`;
    const use = action.kind === 'read' ? 'forwarded' : action.kind === 'reaction' ? 'forwarded or sent' : 'sent';
    throw new SendError(404, `Message ${action.id} is ${why}: use the 'id' of a message the app ${use}.`);
  }
  if (action.kind === 'read') throw new SendError(403, `Message ${action.id} was sent by this app: only received messages can be marked read.`);
  const sentChat = sent.chat ?? chat; // sends from before the column existed kept no chat: trust the request's
  if (!(await ctx.sameChat(sentChat, chat))) throw new SendError(409, `Message ${action.id} was sent to ${sentChat}, not ${chat}: send with that 'to'.`);
  const key: WAMessageKey = { remoteJid: sentChat, fromMe: true, id: sent.id };
  if (sent.kind === 'reaction' || sent.kind === 'edit' || sent.kind === 'delete')
    throw new SendError(
      400,
      `${action.id} is ${sent.kind === 'edit' ? 'an edit' : sent.kind === 'delete' ? 'a deletion' : 'a reaction'}, not a message: use the id of the message itself.`,
    );
  const age = ctx.now - sent.sentAt;
  switch (action.kind) {
    case 'reaction':
      return { kind: 'send', chat: sentChat, content: { react: { text: action.emoji, key } }, sent: 'reaction' };
    case 'edit':
      if (sent.kind !== null && sent.kind !== 'text')
        throw new SendError(
          400,
          `Message ${action.id} is a ${sent.kind === 'media' ? 'file' : sent.kind}: only text messages can be edited; delete it and send a new one.`,
        );
      if (age > EDIT_WINDOW_MS)
        throw new SendError(
          409,
          `Message ${action.id} was sent ${minutes(age)} ago: WhatsApp allows edits for 15 minutes after sending; send a new message instead.`,
        );
      return { kind: 'send', chat: sentChat, content: { text: action.text, edit: key }, sent: 'edit' };
    case 'delete':
      if (age > DELETE_WINDOW_MS)
        throw new SendError(
          409,
          `Message ${action.id} was sent ${Math.floor(age / 3_600_000)} hours ago: WhatsApp deletes for everyone only within about 2 days of sending.`,
        );
      return { kind: 'send', chat: sentChat, content: { delete: key }, sent: 'delete' };
  }
}

async function anySame(chats: string[], chat: string, ctx: ActionContext): Promise<boolean> {
  for (const candidate of chats) if (await ctx.sameChat(candidate, chat)) return true;
  return false;
}

function minutes(ms: number): string {
  const value = Math.floor(ms / 60_000);
  return `${value} minute${value === 1 ? '' : 's'}`;
}
