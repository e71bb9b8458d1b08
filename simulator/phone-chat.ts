import { proto } from '@whiskeysockets/baileys';
import type { Contact } from './contacts.js';
import type { Group, OutgoingMessage } from './types.js';

/** One message of the client's as the recipient's phone shows it, after its edits and deletion. */
export interface ShownMessage {
  readonly id: string;
  readonly kind: 'text' | 'location' | 'contact' | 'poll' | 'media' | 'other';
  /** The text (or caption), the newest edit applied; null once deleted. */
  readonly text: string | null;
  readonly location: { latitude: number; longitude: number; name: string | null; address: string | null } | null;
  /**
   * The card's vCard and whether it offers "Message": only with `waid=<WhatsApp id>` on a TEL line,
   * else only "Invite" (open-wa/wa-automate-nodejs #272, automagik-dev/omni #330).
   */
  readonly contact: { name: string; vcard: string; canMessage: boolean } | null;
  /** "Edited" under the bubble. */
  readonly edited: boolean;
  /** "This message was deleted" instead of the content. */
  readonly deleted: boolean;
}

/** A chat on the recipient's phone: the client's messages, and the client's reaction on any message (theirs too). */
export interface PhoneChat {
  readonly messages: readonly ShownMessage[];
  /** The client's current reaction by message id; a reaction of "" took it away. */
  readonly reactions: ReadonlyMap<string, string>;
}

type Draft = { -readonly [K in keyof ShownMessage]: ShownMessage[K] };

/**
 * Folds what the client sent into what `recipient` sees in the 1:1 chat (or in `group`), in the
 * order it arrived. As WhatsApp's apps do (and Baileys' `updateMessageWithReaction` mirrors), one
 * sender has one reaction per message, and an empty one removes it; an edit or a revoke applies
 * only to the sender's own message (`key.fromMe` from the sender's side), others are ignored.
 */
export function phoneChat(outgoing: readonly OutgoingMessage[], recipient: Contact, group?: Group): PhoneChat {
  const messages = new Map<string, Draft>();
  const reactions = new Map<string, string>();
  const inChat = outgoing
    .filter((m) => (group ? m.to === group.jid : m.recipient === recipient && !m.to.endsWith('@g.us')))
    .sort((a, b) => a.arrival.seq - b.arrival.seq);
  for (const { id, message } of inChat) {
    const reaction = message.reactionMessage;
    const change = message.protocolMessage;
    if (reaction?.key?.id) {
      if (reaction.text) reactions.set(reaction.key.id, reaction.text);
      else reactions.delete(reaction.key.id);
      continue;
    }
    if (change) {
      const target = change.key?.fromMe && change.key.id ? messages.get(change.key.id) : undefined;
      if (!target) continue;
      if (change.type === proto.Message.ProtocolMessage.Type.REVOKE) Object.assign(target, { text: null, location: null, contact: null, deleted: true });
      if (change.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT && !target.deleted) {
        const edited = change.editedMessage;
        target.text = edited?.conversation ?? edited?.extendedTextMessage?.text ?? target.text;
        target.edited = true;
      }
      continue;
    }
    messages.set(id, shown(id, message));
  }
  return { messages: [...messages.values()], reactions };
}

function shown(id: string, message: proto.IMessage): Draft {
  const base: Draft = { id, kind: 'other', text: null, location: null, contact: null, edited: false, deleted: false };
  const location = message.locationMessage;
  const card = message.contactMessage;
  const media = message.imageMessage ?? message.videoMessage ?? message.documentMessage ?? message.audioMessage ?? message.stickerMessage;
  const text = message.conversation ?? message.extendedTextMessage?.text;
  if (location)
    return {
      ...base,
      kind: 'location',
      location: {
        latitude: location.degreesLatitude ?? 0,
        longitude: location.degreesLongitude ?? 0,
        name: location.name || null,
        address: location.address || null,
      },
    };
  if (card)
    return {
      ...base,
      kind: 'contact',
      contact: { name: card.displayName ?? '', vcard: card.vcard ?? '', canMessage: /^TEL[^:\n]*;waid=\d+/im.test(card.vcard ?? '') },
    };
  if (message.pollCreationMessage || message.pollCreationMessageV3) return { ...base, kind: 'poll' };
  if (media) return { ...base, kind: 'media', text: ('caption' in media ? media.caption : null) || null };
  if (text !== undefined && text !== null) return { ...base, kind: 'text', text };
  return base;
}
