import {
  getContentType,
  isJidGroup,
  isLidUser,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { ForwardedMessage, MessagePayload } from '../payload/message-payload.js';
import { mediaIn } from '../media/media-info.js';
import { describeContent } from './message-content.js';
import { toPlainJson } from '../payload/raw-json.js';

export interface AccountIdentity {
  /** The paired account's phone-number JID and LID JID (device suffix dropped). */
  phoneJid: string | null;
  lidJid: string | null;
  /** The phone number behind a LID user, when WhatsApp has told us (null otherwise). */
  phoneForLid(lidUser: string): string | null;
}

/** Turns one WAMessage (already past the filters) into the payload. Pure and synchronous. */
export function normaliseMessage(msg: WAMessage, account: AccountIdentity): ForwardedMessage {
  return { payload: payloadOf(msg, account), rawType: rawTypeOf(msg) };
}

function payloadOf(msg: WAMessage, account: AccountIdentity): MessagePayload {
  const key = msg.key;
  const remoteJid = key.remoteJid!;
  const isGroup = Boolean(isJidGroup(remoteJid));
  const described = describeContent(msg.message);

  const party = key.fromMe
    ? { phone: account.phoneJid, lid: account.lidJid }
    : addressesOf(isGroup ? [key.participant, key.participantAlt] : [remoteJid, key.remoteJidAlt], account);
  const chat = isGroup ? remoteJid : chatAddress(remoteJid, key.remoteJidAlt, account);
  const sender = party.phone ?? party.lid ?? jidNormalizedUser(key.participant ?? remoteJid);

  return {
    sender,
    content: described.content,
    is_group: isGroup,
    event: 'message',
    id: key.id!,
    chat,
    timestamp: Number(msg.messageTimestamp ?? 0),
    type: described.type,
    push_name: msg.pushName ?? null,
    sender_phone: party.phone ? (jidDecode(party.phone)?.user ?? null) : null,
    sender_lid: party.lid,
    from_me: Boolean(key.fromMe),
    quoted_id: described.quotedId,
    media: mediaIn(msg)?.payload ?? null,
    raw: toPlainJson(msg),
  };
}

/** Baileys' content name (e.g. `imageMessage`), for receivers that want more than `type`. */
function rawTypeOf(msg: WAMessage): string | null {
  return getContentType(normalizeMessageContent(msg.message)) ?? null;
}

interface Addresses {
  phone: string | null;
  lid: string | null;
}

/** The phone JID and LID JID among a message's addresses, looking the phone up when only the LID came. */
function addressesOf(candidates: Array<string | null | undefined>, account: AccountIdentity): Addresses {
  const jids = candidates.filter((jid): jid is string => Boolean(jid)).map(jidNormalizedUser);
  const lid = jids.find((jid) => isLidUser(jid)) ?? null;
  let phone = jids.find((jid) => isPnUser(jid)) ?? null;
  if (!phone && lid) {
    const user = account.phoneForLid(jidDecode(lid)!.user);
    phone = user ? `${user}@s.whatsapp.net` : null;
  }
  return { phone, lid };
}

function chatAddress(remoteJid: string, remoteJidAlt: string | null | undefined, account: AccountIdentity): string {
  const { phone, lid } = addressesOf([remoteJid, remoteJidAlt], account);
  return phone ?? lid ?? jidNormalizedUser(remoteJid);
}
