import { jidNormalizedUser, normalizeMessageContent, proto, type WAMessage } from '@whiskeysockets/baileys';
import type { DeletePayload, EditPayload } from '../payload/event-payload.js';
import { toPlainJson } from '../payload/raw-json.js';
import { describeContent } from './message-content.js';
import type { AccountIdentity } from '../whatsapp/jid.js';
import { chatFieldsOf, personFields } from './normalise.js';

const { MESSAGE_EDIT, REVOKE } = proto.Message.ProtocolMessage.Type;

/** The protocol message inside an upsert when it edits or deletes (for everyone) an earlier message. */
export function editOrRevoke(msg: WAMessage): proto.Message.IProtocolMessage | null {
  const protocol = normalizeMessageContent(msg.message)?.protocolMessage;
  if (!protocol?.key?.id) return null;
  return protocol.type === MESSAGE_EDIT || protocol.type === REVOKE ? protocol : null;
}

/**
 * The edit or deletion an upsert carries, as its payload; null for anything else. Read from the
 * upsert (not Baileys' later `messages.update`) so it is committed before the receipt, in the
 * chat's order, and whatever Baileys' event buffer merges.
 */
export function protocolEventOf(msg: WAMessage, account: AccountIdentity): EditPayload | DeletePayload | null {
  const protocol = editOrRevoke(msg);
  if (!protocol) return null;
  const who = chatFieldsOf(msg, account);
  const target = protocol.key!;
  if (protocol.type === MESSAGE_EDIT) {
    const timestampMs = Number(protocol.timestampMs ?? 0);
    return {
      ...who,
      timestamp: timestampMs > 0 ? Math.floor(timestampMs / 1000) : who.timestamp,
      event: 'edit',
      id: target.id!,
      content: describeContent(protocol.editedMessage).content,
      edit_id: msg.key.id!,
      raw: toPlainJson(msg),
    };
  }
  // The key is in the deleter's view: fromMe = their own message; in groups `participant` names
  // the author when an admin deleted someone else's message.
  const author = target.participant ? jidNormalizedUser(target.participant) : null;
  const deletedOwn = !author || author === jidNormalizedUser(msg.key.participant ?? '') || author === who.sender_lid || author === who.sender;
  const authorFields = deletedOwn ? {} : { ...personFields(author!, account), push_name: null, from_me: isAccount(author!, account) };
  return { ...who, ...authorFields, event: 'delete', id: target.id!, deleted_by: who.sender, raw: toPlainJson(msg) };
}

function isAccount(jid: string, account: AccountIdentity): boolean {
  return jid === account.phoneJid || jid === account.lidJid;
}
