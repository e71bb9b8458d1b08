import { getContentType, normalizeMessageContent, type proto } from '@whiskeysockets/baileys';
import type { MessageType } from '../payload/message-payload.js';

export interface MessageContent {
  type: MessageType;
  /** Text or caption; a short description for messages that have none. */
  content: string;
  /** The id of the message this one quotes or reacts to. */
  quotedId: string | null;
}

type Describe = (m: proto.IMessage) => Omit<MessageContent, 'quotedId'> & { quotedId?: string | null };

const DESCRIBE: Record<string, Describe> = {
  conversation: (m) => ({ type: 'text', content: m.conversation ?? '' }),
  extendedTextMessage: (m) => ({ type: 'text', content: m.extendedTextMessage?.text ?? '' }),
  imageMessage: (m) => ({ type: 'image', content: m.imageMessage?.caption || 'Image' }),
  videoMessage: (m) => ({ type: 'video', content: m.videoMessage?.caption || 'Video' }),
  ptvMessage: (m) => ({ type: 'video', content: m.ptvMessage?.caption || 'Video note' }),
  audioMessage: (m) => ({
    type: 'audio',
    content: `${m.audioMessage?.ptt ? 'Voice message' : 'Audio'}${seconds(m.audioMessage?.seconds)}`,
  }),
  documentMessage: (m) => ({
    type: 'document',
    content: m.documentMessage?.caption || m.documentMessage?.fileName || m.documentMessage?.title || 'Document',
  }),
  stickerMessage: () => ({ type: 'sticker', content: 'Sticker' }),
  locationMessage: (m) => ({ type: 'location', content: describeLocation(m.locationMessage) }),
  liveLocationMessage: (m) => ({ type: 'location', content: `Live ${describeLocation(m.liveLocationMessage)}` }),
  contactMessage: (m) => ({ type: 'contact', content: `Contact: ${m.contactMessage?.displayName ?? 'unnamed'}` }),
  contactsArrayMessage: (m) => ({
    type: 'contact',
    content: `Contacts: ${(m.contactsArrayMessage?.contacts ?? []).map((c) => c.displayName ?? 'unnamed').join(', ')}`,
  }),
  pollCreationMessage: (m) => ({ type: 'poll', content: describePoll(m.pollCreationMessage) }),
  pollCreationMessageV2: (m) => ({ type: 'poll', content: describePoll(m.pollCreationMessageV2) }),
  pollCreationMessageV3: (m) => ({ type: 'poll', content: describePoll(m.pollCreationMessageV3) }),
  pollUpdateMessage: (m) => ({
    type: 'poll_vote',
    content: 'Poll vote',
    quotedId: m.pollUpdateMessage?.pollCreationMessageKey?.id ?? null,
  }),
  reactionMessage: (m) => ({
    type: 'reaction',
    content: m.reactionMessage?.text ?? '',
    quotedId: m.reactionMessage?.key?.id ?? null,
  }),
  buttonsResponseMessage: (m) => ({
    type: 'button_reply',
    content: m.buttonsResponseMessage?.selectedDisplayText || m.buttonsResponseMessage?.selectedButtonId || '',
  }),
  templateButtonReplyMessage: (m) => ({
    type: 'button_reply',
    content: m.templateButtonReplyMessage?.selectedDisplayText || m.templateButtonReplyMessage?.selectedId || '',
  }),
  listResponseMessage: (m) => ({
    type: 'list_reply',
    content: m.listResponseMessage?.title || m.listResponseMessage?.singleSelectReply?.selectedRowId || '',
  }),
  interactiveResponseMessage: (m) => ({
    type: 'interactive_reply',
    content: m.interactiveResponseMessage?.body?.text ?? '',
  }),
};

/** Unwraps ephemeral/view-once/edit wrappers and describes what is inside. */
export function describeContent(message: proto.IMessage | null | undefined): MessageContent {
  const inner = normalizeMessageContent(message);
  const rawType = inner ? (getContentType(inner) ?? null) : null;
  const describe = rawType ? DESCRIBE[rawType] : undefined;
  const described = describe && inner ? describe(inner) : { type: 'other' as const, content: rawType ?? '' };
  return {
    type: described.type,
    content: described.content,
    quotedId: described.quotedId !== undefined ? described.quotedId : quotedIdOf(inner, rawType),
  };
}

function quotedIdOf(inner: proto.IMessage | undefined, rawType: string | null): string | null {
  if (!inner || !rawType) return null;
  const part = (inner as Record<string, unknown>)[rawType] as { contextInfo?: proto.IContextInfo | null } | undefined;
  return (typeof part === 'object' && part?.contextInfo?.stanzaId) || null;
}

function seconds(value: number | null | undefined): string {
  return value ? ` (${value} s)` : '';
}

function describeLocation(l: proto.Message.ILocationMessage | proto.Message.ILiveLocationMessage | null | undefined): string {
  const where = `${l?.degreesLatitude ?? 0}, ${l?.degreesLongitude ?? 0}`;
  const name = l && 'name' in l ? [l.name, l.address].filter(Boolean).join(', ') : '';
  return `Location: ${where}${name ? ` (${name})` : ''}`;
}

function describePoll(p: proto.Message.IPollCreationMessage | null | undefined): string {
  const options = (p?.options ?? []).map((o) => o.optionName).filter(Boolean);
  return `Poll: ${p?.name ?? ''}${options.length ? ` (${options.join(' / ')})` : ''}`;
}
