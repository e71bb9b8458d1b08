import { getContentType, isJidGroup, jidDecode, jidNormalizedUser, normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import type { ChatFields, ForwardedMessage, MessagePayload } from '../payload/message-payload.js';
import { voteContent, type PollPayload } from '../payload/poll-payload.js';
import { isViewOnceStub, VIEW_ONCE_STUB_CONTENT, viewOnceStubMedia } from '../media/media-failure.js';
import { mediaIn } from '../media/media-info.js';
import { describeContent } from './message-content.js';
import { toPlainJson } from '../payload/raw-json.js';
import { userAddresses, type AccountIdentity } from '../whatsapp/jid.js';

/** Turns one WAMessage (already past the filters) into the payload. Pure and synchronous, but for the poll lookup. */
export function normaliseMessage(msg: WAMessage, account: AccountIdentity, pollOf: PollOf = () => null): ForwardedMessage {
  return { payload: payloadOf(msg, account, pollOf), rawType: rawTypeOf(msg) };
}

/** What the intake knows of a vote's poll (null: not a vote). */
export type PollOf = (msg: WAMessage) => PollPayload | null;

function payloadOf(msg: WAMessage, account: AccountIdentity, pollOf: PollOf): MessagePayload {
  const viewOnceStub = isViewOnceStub(msg);
  const described = viewOnceStub ? { type: 'other' as const, content: VIEW_ONCE_STUB_CONTENT, quotedId: null } : describeContent(msg.message);
  const poll = described.type === 'poll_vote' ? pollOf(msg) : null;
  const who = chatFieldsOf(msg, account);
  // Field order stays as it is (receivers compare bodies byte for byte): the first version's fields first.
  return {
    sender: who.sender,
    content: poll ? voteContent(poll) : described.content,
    is_group: who.is_group,
    event: 'message',
    id: msg.key.id!,
    chat: who.chat,
    timestamp: who.timestamp,
    type: described.type,
    push_name: who.push_name,
    sender_phone: who.sender_phone,
    sender_lid: who.sender_lid,
    from_me: who.from_me,
    quoted_id: described.quotedId,
    media: viewOnceStub ? viewOnceStubMedia() : (mediaIn(msg)?.payload ?? null),
    poll,
    ...(described.type === 'reaction' ? { reaction_removed: described.content === '' } : {}),
    raw: toPlainJson(msg),
  };
}

/** The chat, and who wrote in it (the account itself for its own messages), with both address forms when known. */
export function chatFieldsOf(msg: WAMessage, account: AccountIdentity): ChatFields {
  const key = msg.key;
  const remoteJid = key.remoteJid!;
  const isGroup = Boolean(isJidGroup(remoteJid));
  const party = key.fromMe
    ? { phone: account.phoneJid, lid: account.lidJid }
    : userAddresses(isGroup ? [key.participant, key.participantAlt] : [remoteJid, key.remoteJidAlt], account);
  return {
    sender: party.phone ?? party.lid ?? jidNormalizedUser(key.participant ?? remoteJid),
    is_group: isGroup,
    chat: isGroup ? remoteJid : chatAddress(remoteJid, key.remoteJidAlt, account),
    timestamp: Number(msg.messageTimestamp ?? 0),
    push_name: msg.pushName ?? null,
    sender_phone: party.phone ? (jidDecode(party.phone)?.user ?? null) : null,
    sender_lid: party.lid,
    from_me: Boolean(key.fromMe),
  };
}

/** `sender`, `sender_phone` and `sender_lid` for someone known only by one JID (a group member whose message an admin deleted). */
export function personFields(jid: string, account: AccountIdentity): Pick<ChatFields, 'sender' | 'sender_phone' | 'sender_lid'> {
  const { phone, lid } = userAddresses([jid], account);
  return { sender: phone ?? lid ?? jidNormalizedUser(jid), sender_phone: phone ? (jidDecode(phone)?.user ?? null) : null, sender_lid: lid };
}

/** Baileys' content name (e.g. `imageMessage`), for receivers that want more than `type`. */
function rawTypeOf(msg: WAMessage): string | null {
  return getContentType(normalizeMessageContent(msg.message)) ?? null;
}

function chatAddress(remoteJid: string, remoteJidAlt: string | null | undefined, account: AccountIdentity): string {
  const { phone, lid } = userAddresses([remoteJid, remoteJidAlt], account);
  return phone ?? lid ?? jidNormalizedUser(remoteJid);
}
