import { normalizeMessageContent, type proto } from '@whiskeysockets/baileys';
import type { EncryptedMedia, MediaKind } from './media-crypto.js';
import type { MediaSpec } from './media-types.js';

/** Where a stored file lives on the media host. */
export interface MediaLocation {
  /** `https://127.0.0.1:PORT/v/…`: the host the client downloads from is taken from it. */
  readonly url: string;
  /** `/v/…?ccb=…`: what the client appends to the host. */
  readonly directPath: string;
}

/** The media field of each kind in `proto.Message`. */
const FIELDS = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
} as const satisfies Record<MediaKind, keyof proto.IMessage>;

const DEFAULT_MIMETYPES: Record<MediaKind, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** How long a disappearing message lives by default (7 days, as WhatsApp's default timer). */
const EPHEMERAL_SECONDS = 604_800;

/** The media message WhatsApp's apps send for `spec`, pointing at the encrypted file at `location`. */
export function mediaMessage(spec: MediaSpec, file: EncryptedMedia, location: MediaLocation): proto.IMessage {
  const { kind } = spec;
  if (spec.wrap === 'documentWithCaption' && kind !== 'document') throw new Error('simulator: documentWithCaption wraps documents only');
  const media: Record<string, unknown> = {
    url: location.url,
    directPath: location.directPath,
    mimetype: spec.mimetype ?? DEFAULT_MIMETYPES[kind],
    mediaKey: file.mediaKey,
    fileSha256: file.fileSha256,
    fileEncSha256: file.fileEncSha256,
    fileLength: file.fileLength,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
  };
  if (spec.caption !== undefined && kind !== 'audio' && kind !== 'sticker') media.caption = spec.caption;
  if (spec.width !== undefined) media.width = spec.width;
  if (spec.height !== undefined) media.height = spec.height;
  if (spec.seconds !== undefined && (kind === 'video' || kind === 'audio')) media.seconds = spec.seconds;
  if (kind === 'audio') media.ptt = spec.ptt ?? false;
  if (kind === 'video' && spec.gifPlayback) media.gifPlayback = true;
  if (kind === 'document') {
    media.fileName = spec.fileName ?? 'document';
    media.title = media.fileName;
  }
  if (kind === 'sticker') media.isAnimated = false;
  if (spec.wrap === 'viewOnce') media.viewOnce = true;
  if (spec.wrap === 'ephemeral') media.contextInfo = { expiration: EPHEMERAL_SECONDS };
  for (const field of spec.missing ?? []) delete media[field];

  const inner: proto.IMessage = { [FIELDS[kind]]: media };
  switch (spec.wrap) {
    case 'viewOnce':
      return { viewOnceMessageV2: { message: inner } };
    case 'ephemeral':
      return { ephemeralMessage: { message: inner } };
    case 'documentWithCaption':
      return { documentWithCaptionMessage: { message: inner } };
    default:
      return inner;
  }
}

/** The media part of a message (wrappers such as view-once removed) and the kind that selects its keys. */
export function mediaContentOf(message: proto.IMessage): { kind: MediaKind; media: proto.Message.IImageMessage } | undefined {
  const content = normalizeMessageContent(message);
  for (const [kind, field] of Object.entries(FIELDS) as [MediaKind, (typeof FIELDS)[MediaKind]][]) {
    const media = content?.[field];
    // every media message shares the fields read here (url, directPath, mediaKey, hashes, length)
    if (media?.mediaKey) return { kind, media: media as proto.Message.IImageMessage };
  }
  return undefined;
}
