import type { proto } from '@whiskeysockets/baileys';
import type { MediaKind } from './media-crypto.js';

export type { MediaKind } from './media-crypto.js';

/** A file a simulated person sends with `sim.sendMedia`. */
export interface MediaSpec {
  /** image, video, audio (a voice note with `ptt`), document or sticker. */
  kind: MediaKind;
  /** The plain file. */
  data: Buffer;
  /** Default per kind: image/jpeg, video/mp4, audio/ogg; codecs=opus, application/pdf, image/webp. */
  mimetype?: string;
  /** Images, videos and documents. */
  caption?: string;
  /** Documents (default "document"). */
  fileName?: string;
  /** Audio: a voice note rather than an audio file. */
  ptt?: boolean;
  /** Video and audio duration. */
  seconds?: number;
  width?: number;
  height?: number;
  /** Video: a GIF (plays muted, in a loop). */
  gifPlayback?: boolean;
  /** How the app wraps the media message: view once (`viewOnceMessageV2`), disappearing, or a document with caption. */
  wrap?: 'viewOnce' | 'ephemeral' | 'documentWithCaption';
  /**
   * The file has left the CDN (410) when the message arrives. 'until-reupload': the phone uploads it
   * again when the client asks (`sock.updateMediaMessage`); 'for-good': the phone no longer has it
   * and answers NOT_FOUND (Baileys #2230, "Failed to re-upload media"); 'gone-after-reupload': the
   * phone says it uploaded it again, yet the new path answers 410 too (Auties00/Cobalt #171).
   */
  expired?: 'until-reupload' | 'for-good' | 'gone-after-reupload';
  /**
   * Fields the message arrives without. View-once media reaches a linked device without `url`,
   * `directPath` and `mediaKey` (Baileys #2105; PR #2435 on how companions get view-once media);
   * channel media without `mediaKey` (Baileys #2546); whatsmeow's ErrNoURLPresent is a missing
   * `directPath` (aldinokemal/go-whatsapp-web-multidevice #730).
   */
  missing?: ReadonlyArray<'url' | 'directPath' | 'mediaKey'>;
  /** The media host waits this long before it answers each download of the file: a slow network (ms). */
  delayMs?: number;
}

/** What `sim.sendMedia` returns. */
export interface SendMediaResult {
  /** The message id. */
  readonly id: string;
  /** The stanza timestamp (unix seconds). */
  readonly timestamp: number;
  /** The message as sent (url, directPath, mediaKey and hashes included). */
  readonly message: proto.IMessage;
  /** SHA-256 of the plain file (= the message's fileSha256). */
  readonly sha256: Buffer;
}

/** A request the media host answered. */
export interface MediaRequest {
  /** GET or POST. */
  readonly method: string;
  /** The path without its query. */
  readonly path: string;
  /** The HTTP status answered (200, 206, 404, 410, …). */
  readonly status: number;
  /** The Range header, if any. */
  readonly range?: string;
  /** Set when the host dropped the connection on purpose (`failNextDownloads`); `status` is then 0. */
  readonly failed?: DownloadFailure;
}

/**
 * How `MediaHost.failNextDownloads` fails a download: dropped before the answer, or after half
 * the file; or 'forbidden', the CDN's 403 for a path whose signed query is missing or wrong
 * (whatsmeow #933; verygoodplugins/whatsapp-mcp #170).
 */
export type DownloadFailure = 'reset' | 'cut' | 'forbidden';

/** A file the client uploaded (`POST /mms/<type>/…`). */
export interface MediaUpload {
  /** The path's type: image (stickers too), video, audio, document… */
  readonly type: string;
  /** The direct_path the host answered. */
  readonly directPath: string;
  /** The url the host answered. */
  readonly url: string;
  /** The encrypted bytes as uploaded. */
  readonly encrypted: Buffer;
}

/** How the phone answered a re-upload request. */
export type MediaRetryResult = 'reuploaded' | 'not-found' | 'decryption-error' | 'unknown-message';

/** A re-upload request the client sent (`<receipt type="server-error">`), with the phone's answer. */
export interface RecordedMediaRetry {
  /** The media message's id. */
  readonly id: string;
  /** The chat, as the client named it in `<rmr jid>`. */
  readonly remoteJid: string;
  readonly fromMe: boolean;
  /** The sender in a group. */
  readonly participant?: string;
  readonly result: MediaRetryResult;
  /** The new path, when the phone re-uploaded the file. */
  readonly directPath?: string;
}
