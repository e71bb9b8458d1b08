import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ReceiptType } from './contact-action-types.js';
import type { Contact } from './contacts.js';
import type { Group, OutgoingMessage } from './types.js';

/**
 * The `<receipt>` WhatsApp's server forwards when `from` read (or played) messages the client sent:
 * 1:1 from the contact's JID in the form the client addressed it (Baileys keys the status update by
 * it), in a group from the group with the member as `participant` (LID, as the group is addressed).
 * Several ids go as `id` plus `<list><item id/>`, as Baileys reads them.
 */
export function recipientReceipt(
  from: Contact,
  ids: readonly string[],
  type: ReceiptType,
  group: Group | undefined,
  outgoing: readonly OutgoingMessage[],
): BinaryNode {
  const [first, ...rest] = ids;
  if (!first) throw new Error('simulator: a receipt needs at least one message id');
  if (group && !group.participants.includes(from)) throw new Error(`simulator: ${from.phone} is not in group ${group.id}`);
  const chats = new Set(
    ids.map((id) => {
      const sent = outgoing.find((m) => m.id === id && (group ? m.to === group.jid : m.recipient === from));
      if (!sent) throw new Error(`simulator: the client sent ${group ? group.jid : from.phone} no message ${id}`);
      return sent.to;
    }),
  );
  // one receipt is about one chat, and the client may have addressed the contact both ways
  if (chats.size > 1) throw new Error(`simulator: messages ${ids.join(', ')} went to different JIDs (${[...chats].join(', ')})`);
  const attrs: Record<string, string> = group ? { from: group.jid, participant: from.lidJid } : { from: [...chats][0]! };
  return {
    tag: 'receipt',
    attrs: { ...attrs, id: first, t: String(Math.floor(Date.now() / 1000)), type },
    ...(rest.length ? { content: [{ tag: 'list', attrs: {}, content: rest.map((id) => ({ tag: 'item', attrs: { id } })) }] } : {}),
  };
}
