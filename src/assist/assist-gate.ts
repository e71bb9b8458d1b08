import { isJidGroup, isJidNewsletter, isJidStatusBroadcast, jidNormalizedUser, normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import type { MessageUpsertType } from '@whiskeysockets/baileys';
import type { AssistOptions } from '../config/assist-options.js';
import { chatFieldsOf } from '../intake/normalise.js';
import type { ChatFields } from '../payload/message-payload.js';
import { userAddresses, type AccountIdentity } from '../whatsapp/jid.js';

/** A question for Assist: the chat it came from, where the answer goes, the text, the message it answers. */
export interface Question {
  /** The chat's key for its conversation and rate limit: a group JID, a person's phone (or LID) JID, or `self`. */
  chat: string;
  /** Where the answer is sent (the `to` of a send). */
  to: string;
  text: string;
  messageId: string;
  /** The message's chat fields, as its payload has them (the `assist` event's, queued in its chat). */
  fields: ChatFields;
}

/**
 * What the gate decided: a question; a voice note to ask from its transcript (`group`: the
 * transcript must start with the prefix); a refusal worth one log line; or nothing to say (a
 * group's ordinary chatter).
 */
export type Verdict =
  | { kind: 'ask'; question: Question }
  | { kind: 'listen'; question: Omit<Question, 'text'>; group: boolean }
  | { kind: 'refuse'; chat: string; why: string }
  | { kind: 'ignore' };

export interface GateContext {
  options: AssistOptions;
  account: AccountIdentity;
  /** The bridge sent this message itself (its answers included). */
  sentByBridge(id: string): boolean;
  /** The JID of the account's group with this subject, when exactly one has it. */
  groupNamed(name: string): string | null;
  /** When Assist started listening (epoch s): anything older is from before the last start. */
  startedAtSeconds: number;
  /** The agent asked this chat something back: its next message needs no prefix. */
  continuing(chat: string): boolean;
  /** Whether a voice note gets a transcript (voice_to_text on, and the intake downloads it). */
  transcribes(voiceNote: { fromMe: boolean; group: boolean }): boolean;
}

const IGNORE: Verdict = { kind: 'ignore' };

/**
 * Decides whether one received message reaches Assist. Only a live (`notify`), new text or voice
 * note from an allowed chat does: never the bridge's own message, a forwarded one, an edit, a
 * reaction or anything older than the start (offline messages are forwarded, not acted on).
 */
export function judge(msg: WAMessage, type: MessageUpsertType, context: GateContext): Verdict {
  const { key } = msg;
  const remoteJid = key?.remoteJid;
  const id = key?.id;
  if (!remoteJid || !id || isJidStatusBroadcast(remoteJid) || isJidNewsletter(remoteJid)) return IGNORE;
  // The app's own messages (its answers too) come back as upserts: never a question, not worth a log line.
  if (context.sentByBridge(id)) return IGNORE;
  const place = chatOf(msg, context);
  if (!place) return { kind: 'refuse', chat: jidNormalizedUser(remoteJid), why: 'is not in assist_chats' };
  const refuse = (why: string): Verdict => ({ kind: 'refuse', chat: place.chat, why });
  if (type !== 'notify') return refuse('came from the offline queue (from before the link came back)');
  if (Number(msg.messageTimestamp ?? 0) < context.startedAtSeconds) return refuse('is older than the last start');
  const content = normalizeMessageContent(msg.message);
  if (content?.protocolMessage || content?.editedMessage) return refuse('is an edit or a deletion');
  if (content?.reactionMessage) return refuse('is a reaction');
  const asked = { chat: place.chat, to: place.to, messageId: id, fields: chatFieldsOf(msg, context.account) };
  if (content?.audioMessage?.ptt) {
    if (content.audioMessage.contextInfo?.isForwarded) return refuse('is forwarded');
    if (!context.transcribes({ fromMe: Boolean(msg.key.fromMe), group: place.group })) {
      return place.group ? IGNORE : refuse('is a voice note the app does not transcribe (see voice_to_text)');
    }
    return { kind: 'listen', question: asked, group: place.group };
  }
  const text = content?.conversation ?? content?.extendedTextMessage?.text;
  if (typeof text !== 'string' || !text.trim()) return place.group ? IGNORE : refuse('is not a text');
  if (content?.extendedTextMessage?.contextInfo?.isForwarded) return refuse('is forwarded');
  const question = place.group ? withoutPrefix(text, context.options.prefix, context.continuing(place.chat)) : text.trim();
  if (question === null) return IGNORE;
  return { kind: 'ask', question: { ...asked, text: question } };
}

/**
 * The question a voice note's transcript asks; null when there is none. In a group the transcript
 * must start with the prefix as spoken: its words without `@` and other signs ("Home, is the
 * garage open?" for `@home`), unless the agent asked back.
 */
export function transcriptQuestion(transcript: string, group: boolean, prefix: string, continuing: boolean): string | null {
  const trimmed = transcript.trim();
  if (!group) return trimmed || null;
  // The words hold only letters and digits: nothing in them needs escaping.
  const words = prefix.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const spoken = words.length > 0 ? new RegExp(`^[^\\p{L}\\p{N}]*${words.join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`, 'iu').exec(trimmed) : null;
  if (!spoken && !continuing) return null;
  const rest = (spoken ? trimmed.slice(spoken[0].length) : trimmed).replace(/^[\s,:;.!?-]+/, '');
  return rest || null;
}

/** The allowed chat the message belongs to, or null; in a 1:1 chat only the other person's messages count, in `self` only the account's. */
function chatOf(msg: WAMessage, context: GateContext): { chat: string; to: string; group: boolean } | null {
  const { options, account } = context;
  const remoteJid = msg.key.remoteJid!;
  if (isJidGroup(remoteJid)) {
    const allowed = options.groupJids.includes(remoteJid) || options.groupNames.some((name) => context.groupNamed(name) === remoteJid);
    return allowed ? { chat: remoteJid, to: remoteJid, group: true } : null;
  }
  const { phone, lid } = userAddresses([remoteJid, msg.key.remoteJidAlt], account);
  const isSelf = (phone !== null && phone === account.phoneJid) || (lid !== null && lid === account.lidJid);
  if (isSelf) return options.self && msg.key.fromMe && account.phoneJid ? { chat: 'self', to: account.phoneJid, group: false } : null;
  if (msg.key.fromMe) return null;
  const allowed = (phone !== null && options.people.includes(phone)) || (lid !== null && options.people.includes(lid));
  // The answer goes to the address the message came from (its session with the app).
  return allowed ? { chat: phone ?? lid ?? remoteJid, to: jidNormalizedUser(remoteJid), group: false } : null;
}

/** A group's message without the prefix; null when it does not start with it (unless the agent asked back). */
function withoutPrefix(text: string, prefix: string, continuing: boolean): string | null {
  const trimmed = text.trim();
  const starts = trimmed.toLowerCase().startsWith(prefix.toLowerCase());
  if (!starts && !continuing) return null;
  const rest = (starts ? trimmed.slice(prefix.length) : trimmed).replace(/^[\s,:]+/, '');
  return rest || null;
}
