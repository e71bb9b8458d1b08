import type { WAMessage } from '@whiskeysockets/baileys';
import type { MediaPayload } from '../payload/message-payload.js';
import { MediaHttpError } from './media-fetch.js';
import type { MediaInMessage, MediaKind } from './media-info.js';

/**
 * Why a download did not end in a saved file; `kind` decides what happens next: `network` is
 * retried, `expired` asks the phone to upload the file again once, everything else ends the job
 * at once (it cannot heal by waiting).
 */
export class MediaFailure extends Error {
  constructor(
    readonly kind: 'expired' | 'network' | 'disk' | 'too-large' | 'checksum' | 'unfetchable',
    message: string,
  ) {
    super(message);
  }
}

/** The words `content` uses for a kind of media. */
const KIND_WORDS: Record<MediaKind, string> = { image: 'photo', video: 'video', audio: 'audio', document: 'document', sticker: 'sticker' };

/** What the phone is asked to do about media the app cannot fetch. */
const ON_THE_PHONE = '(open it on the phone)';

/** What a message whose file can never be fetched says instead: `media.error`, and `content` where that changes. */
export interface Unfetchable {
  error: string;
  content: string | null;
}

/**
 * Whether a media message's file can be fetched at all, decided from the message alone (no I/O).
 * WhatsApp fans view-once media out to linked devices without a URL or key (Baileys #2105,
 * PR #2435), and channel media comes without a media key (Baileys #2546): retrying those only
 * holds the chat.
 */
export function unfetchable(media: MediaInMessage, viewOnce: boolean): Unfetchable | null {
  const { content } = media;
  const hasKey = Boolean(content.mediaKey?.length);
  const hasPath = Boolean(content.directPath || content.url);
  if (hasKey && hasPath) return null;
  const what = media.kind === 'audio' && media.payload.voice ? 'voice message' : KIND_WORDS[media.kind];
  if (viewOnce) {
    const caption = 'caption' in content && content.caption ? `: ${content.caption}` : '';
    return {
      error: `view-once: WhatsApp gives a linked device no ${hasKey ? 'URL' : 'key'} for a view-once ${what}, only the phone can open it`,
      content: `View-once ${what} ${ON_THE_PHONE}${caption}`,
    };
  }
  return {
    error: hasKey
      ? `no URL: WhatsApp sent this ${what} without a URL or direct path`
      : `no media key: WhatsApp sent this ${what} without the key to decrypt it`,
    content: null,
  };
}

/** A view-once message WhatsApp sent a linked device only as `<unavailable type="view_once"/>` (Baileys #2105): no content at all. */
export function isViewOnceStub(msg: WAMessage): boolean {
  return Boolean(msg.key?.isViewOnce) && !msg.message && !msg.messageStubType;
}

/** Whether the message came wrapped as view-once (the wrapper, or the flag on the media part). */
export function isViewOnce(msg: WAMessage, media: MediaInMessage): boolean {
  const m = msg.message;
  return Boolean(m?.viewOnceMessage || m?.viewOnceMessageV2 || m?.viewOnceMessageV2Extension || ('viewOnce' in media.content && media.content.viewOnce));
}

/** `content` of a view-once stub: the kind of file is not known. */
export const VIEW_ONCE_STUB_CONTENT = `View-once message ${ON_THE_PHONE}`;

/** `media` of a view-once stub: nothing but why there is no file. */
export function viewOnceStubMedia(): MediaPayload {
  return {
    mimetype: null,
    size: null,
    sha256: null,
    file_name: null,
    duration_s: null,
    width: null,
    height: null,
    voice: false,
    path: null,
    url: null,
    error: 'view-once: WhatsApp sent a linked device only a placeholder, only the phone can open it',
    transcript: null,
    transcript_error: null,
    pending: false,
  };
}

/** The failure an error of a download stands for. */
export function failureOf(error: unknown): MediaFailure {
  if (error instanceof MediaFailure) return error;
  if (error instanceof MediaHttpError) {
    const { status } = error;
    if (status === 404 || status === 410) return new MediaFailure('expired', `expired: the media host answered ${status}`);
    // Any other 4xx says the request itself is refused (a bad or unsigned path): asking again changes nothing.
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return new MediaFailure('unfetchable', `refused: the media host answered ${status}`);
    }
    return new MediaFailure('network', `download failed: the media host answered ${status}`);
  }
  const e = error as { code?: string; message?: string };
  if (e?.code === 'ENOSPC') return new MediaFailure('disk', 'disk full: no space left in the media folder');
  if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST'].includes(e?.code ?? '')) return new MediaFailure('disk', 'the media folder is not writable');
  return new MediaFailure('network', `download failed: ${e?.message ?? String(error)}`);
}

/**
 * Why asking the phone to upload expired media again ended the job: it did not answer in time,
 * or it refused (the file is gone from the phone too, Baileys #2230: "Failed to re-upload media",
 * "Media re-upload failed by device"). Anything else (the connection dropped meanwhile) is a
 * network failure and is retried.
 */
export function reuploadFailure(error: unknown, timedOut: boolean, timeoutS: number): MediaFailure {
  if (timedOut) return new MediaFailure('expired', `expired: the phone did not upload it again within ${timeoutS} s`);
  const message = (error as Error)?.message ?? String(error);
  if (/re-upload/i.test(message)) return new MediaFailure('unfetchable', `expired: the phone no longer has the file (${message})`);
  return new MediaFailure('network', `download failed: asking the phone to upload it again failed (${message})`);
}
