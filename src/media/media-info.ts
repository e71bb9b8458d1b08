import { getContentType, normalizeMessageContent, type proto, type WAMessage } from '@whiskeysockets/baileys';
import type { MediaPayload } from '../payload/message-payload.js';
import { safeMimetype } from './safe-media-type.js';

/** The kinds of media message the bridge saves, by Baileys' content name. */
const MEDIA_KINDS = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
} as const;

export type MediaContentType = keyof typeof MEDIA_KINDS;
export type MediaKind = (typeof MEDIA_KINDS)[MediaContentType];

type MediaContent = proto.Message.IImageMessage &
  proto.Message.IVideoMessage &
  proto.Message.IAudioMessage &
  proto.Message.IDocumentMessage &
  proto.Message.IStickerMessage;

/** A received message's media, as far as the message itself tells (before any download). */
export interface MediaInMessage {
  kind: MediaKind;
  contentType: MediaContentType;
  /** The media part itself (keys, path, sizes), inside any view-once / ephemeral / caption wrapper. */
  content:
    proto.Message.IImageMessage | proto.Message.IVideoMessage | proto.Message.IAudioMessage | proto.Message.IDocumentMessage | proto.Message.IStickerMessage;
  /** What the payload says before the file is saved: the sender's figures, `path`/`url`/`error` null. */
  payload: MediaPayload;
}

/** The media of a message, or null when it carries none (wrappers are looked through). */
export function mediaIn(msg: WAMessage): MediaInMessage | null {
  const inner = normalizeMessageContent(msg.message);
  const contentType = inner ? getContentType(inner) : undefined;
  if (!inner || !contentType || !(contentType in MEDIA_KINDS)) return null;
  const content = inner[contentType as MediaContentType] as MediaContent | null | undefined;
  if (!content) return null;
  const kind = MEDIA_KINDS[contentType as MediaContentType];
  return {
    kind,
    contentType: contentType as MediaContentType,
    content,
    payload: {
      // The sender's words until the file is saved (then the type its bytes show), safe in a header either way.
      mimetype: safeMimetype(content.mimetype),
      size: toNumber(content.fileLength),
      sha256: content.fileSha256?.length ? Buffer.from(content.fileSha256).toString('hex') : null,
      file_name: kind === 'document' ? (content.fileName ?? null) : null,
      duration_s: kind === 'audio' || kind === 'video' ? toNumber(content.seconds) : null,
      width: kind === 'image' || kind === 'video' || kind === 'sticker' ? toNumber(content.width) : null,
      height: kind === 'image' || kind === 'video' || kind === 'sticker' ? toNumber(content.height) : null,
      voice: kind === 'audio' && Boolean(content.ptt),
      path: null,
      url: null,
      error: null,
      transcript: null,
      transcript_error: null,
      pending: false,
    },
  };
}

function toNumber(value: number | { toNumber(): number } | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : value.toNumber();
  return Number.isFinite(n) && n > 0 ? n : null;
}
