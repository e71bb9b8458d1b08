import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { sizeAgainstLimit } from './byte-size.js';
import type { LoadedMedia } from './media-source.js';
import { WHATSAPP_LIMITS, type MediaRequest } from './media-request.js';
import { SendError } from './send-error.js';

/** What each kind accepts, by the MIME type the bytes show (documents take anything). */
const ACCEPTS: Record<MediaRequest['kind'], (mime: string) => boolean> = {
  image: (m) => m.startsWith('image/') && m !== 'image/webp',
  video: (m) => m.startsWith('video/'),
  audio: (m) => m.startsWith('audio/') || m === 'video/ogg' || m === 'application/ogg',
  sticker: (m) => m === 'image/webp',
  document: () => true,
};
const EXPECTED: Record<MediaRequest['kind'], string> = {
  image: 'a JPEG or PNG image',
  video: 'an MP4 video',
  audio: 'an audio file',
  sticker: 'a WebP image',
  document: 'any file',
};

/**
 * The message Baileys sends for a file: checked against WhatsApp's limits and against what the
 * bytes are (a PDF given as `image` is refused), with the MIME type detected when not given.
 */
export function mediaMessage(request: MediaRequest, media: LoadedMedia): AnyMessageContent {
  const { kind } = request;
  const limit = WHATSAPP_LIMITS[kind];
  if (media.size > limit) {
    const sizes = sizeAgainstLimit(media.size, limit);
    throw new SendError(
      413,
      `The ${kind} is ${sizes.size}; WhatsApp takes at most ${sizes.limit} for ${kind === 'document' ? 'documents' : `${kind}s`}${kind === 'document' ? '' : ' (send it as a document instead)'}.`,
    );
  }
  const mimetype = declaredType(request.mimetype, media.detected) ?? (kind === 'document' ? 'application/octet-stream' : null);
  if (!mimetype) throw new SendError(415, `Cannot tell what the ${kind} is: give 'mimetype', or send it as a document.`);
  const shown = media.detected ?? mimetype;
  if (!ACCEPTS[kind](shown.split(';')[0]!.trim()))
    throw new SendError(415, `'${kind}' must be ${EXPECTED[kind]}, but the file is ${shown}: send it as a document, or pick the right key.`);
  if (request.voice && !/ogg/.test(shown))
    throw new SendError(415, `A voice note must be ogg/opus, but the file is ${shown}: convert it, or send it without 'voice'.`);
  const caption = request.caption ?? undefined;
  switch (kind) {
    case 'image':
      return { image: media.content, caption, mimetype };
    case 'video':
      return { video: media.content, caption, mimetype };
    case 'audio':
      return request.voice ? { audio: media.content, ptt: true, mimetype: 'audio/ogg; codecs=opus' } : { audio: media.content, mimetype };
    case 'sticker':
      return { sticker: media.content, mimetype };
    case 'document':
      return { document: media.content, mimetype, fileName: request.fileName ?? 'file', caption };
  }
}

/**
 * The type the message declares: the caller's `mimetype` when the content agrees with it or
 * cannot tell (plain text, many documents), else the detected one. A claim of another kind than
 * the content (a PNG as text/html) is refused, so a recipient's app is not told to open an image
 * as a web page.
 */
function declaredType(claimed: string | null, detected: string | null): string | null {
  if (!claimed || !detected) return claimed ?? detected;
  const essence = claimed.split(';')[0]!.trim().toLowerCase();
  if (essence === 'application/octet-stream') return detected; // "some bytes": no claim at all
  if (kindOf(essence) !== kindOf(detected))
    throw new SendError(415, `'mimetype' says ${essence}, but the file is ${detected}: drop 'mimetype' (it is detected from the content) or correct it.`);
  return claimed;
}

/** Containers that hold audio or video (ogg, mp4, webm, matroska, 3gp) are one kind; otherwise the top-level type. */
function kindOf(mime: string): string {
  if (/^(audio|video|application)\/(ogg|opus|mp4|x-m4a|webm|x-matroska|matroska|3gpp2?|quicktime)$/.test(mime)) return 'audio-video';
  return mime.split('/')[0]!;
}
