import { createDecipheriv, type Decipher } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_ORIGIN, getMediaKeys, getUrlFromDirectPath, type MediaType } from '@whiskeysockets/baileys';
import { request } from '../http/http-request.js';
import type { MediaInMessage } from './media-info.js';

/** WhatsApp appends the first 10 bytes of an HMAC to the ciphertext: not part of the file. */
const MAC_LENGTH = 10;
/** A connection that sends nothing for this long is given up (a network failure, retried). */
const IDLE_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 3;

/** The media host's answer was not the file. */
export class MediaHttpError extends Error {
  constructor(readonly status: number) {
    super(`the media host answered ${status}`);
  }
}

/**
 * The CDN's encrypted bytes of a media message as a response stream, and the decipher that turns
 * them into the plain file. The URL and keys come from Baileys (`getUrlFromDirectPath`,
 * `getMediaKeys`), as in its `downloadContentFromMessage`; the transfer is the app's request on
 * Node's `https` rather than Baileys' `fetch` (docs/performance.md, "A 100 MB video").
 */
export async function openMedia(media: MediaInMessage): Promise<{ encrypted: IncomingMessage; decipher: MediaDecipher }> {
  const { content } = media;
  const url = content.directPath ? getUrlFromDirectPath(content.directPath, hostOf(content.url)) : content.url;
  if (!url) throw new Error('the message names no media URL');
  const keys = await getMediaKeys(content.mediaKey, media.contentType.replace('Message', '') as MediaType);
  const encrypted = await get(url, MAX_REDIRECTS);
  return { encrypted, decipher: new MediaDecipher(keys.cipherKey, keys.iv) };
}

/** AES-256-CBC over the CDN's bytes, holding back the last bytes seen: at the end they are the MAC. */
export class MediaDecipher {
  private readonly decipher: Decipher;
  private held: Buffer = Buffer.alloc(0);

  constructor(cipherKey: Uint8Array, iv: Uint8Array) {
    this.decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  }

  /** The plain bytes a chunk completes (none, one or two buffers; no copy of the chunk). */
  update(chunk: Buffer): Buffer[] {
    const bytes = chunk.length >= MAC_LENGTH ? chunk : Buffer.concat([this.held, chunk]);
    const plain = bytes === chunk && this.held.length ? [this.decipher.update(this.held)] : [];
    const cut = Math.max(0, bytes.length - MAC_LENGTH);
    plain.push(this.decipher.update(bytes.subarray(0, cut)));
    this.held = bytes.subarray(cut);
    return plain.filter((part) => part.length > 0);
  }

  /** The last block; throws if the padding is wrong (a wrong key or a damaged file). */
  final(): Buffer {
    return this.decipher.final();
  }
}

/** GET over https with the Origin WhatsApp's CDN expects; redirects followed, any other non-200 a MediaHttpError. */
async function get(url: string, redirectsLeft: number): Promise<IncomingMessage> {
  const target = new URL(url);
  if (target.protocol !== 'https:') throw new Error(`the media URL is not https (${target.protocol})`);
  const response = await request(target, { headers: { Origin: DEFAULT_ORIGIN }, idleTimeoutMs: IDLE_TIMEOUT_MS });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (status === 200) return response;
  response.resume();
  if (status >= 300 && status < 400 && location && redirectsLeft > 0) return get(new URL(location, url).href, redirectsLeft - 1);
  throw new MediaHttpError(status);
}

/** The host (with port) of the message's URL, which Baileys prefers over its default CDN host. */
function hostOf(url: string | null | undefined): string | undefined {
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}
