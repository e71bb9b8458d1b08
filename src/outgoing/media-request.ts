import { Base64File } from './base64-file.js';
import { SendError } from './send-error.js';

export const MEDIA_KEYS = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type OutgoingKind = (typeof MEDIA_KEYS)[number];

/** Where the file comes from: a path in Home Assistant's folders, a URL, or the request's base64 (decoded to a file as it was read). */
export type MediaSource = { path: string } | { url: URL } | { file: Base64File };

/** The media part of a send request, checked for shape (not yet for content). */
export interface MediaRequest {
  kind: OutgoingKind;
  source: MediaSource;
  caption: string | null;
  fileName: string | null;
  mimetype: string | null;
  voice: boolean;
}

/** WhatsApp's limits as its apps enforce them (bytes). */
export const WHATSAPP_LIMITS: Record<OutgoingKind, number> = {
  image: 16 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
  sticker: 1024 * 1024,
  document: 100 * 1024 * 1024,
};

const MAX_CAPTION_LENGTH = 1024;

/** Reads `image` / `video` / `audio` / `document` / `sticker` and their options; null when the request has none. */
export function parseMediaRequest(body: Record<string, unknown>): MediaRequest | null {
  const given = MEDIA_KEYS.filter((key) => body[key] !== undefined && body[key] !== null);
  if (given.length === 0) {
    for (const key of ['caption', 'file_name', 'mimetype', 'voice']) {
      if (body[key] !== undefined) throw new SendError(400, `'${key}' goes with a media key: add one of ${MEDIA_KEYS.join(', ')}.`);
    }
    return null;
  }
  if (given.length > 1) throw new SendError(400, `Send one file at a time: the request has ${given.join(' and ')}.`);
  const kind = given[0]!;
  const caption = optionalText(body, 'caption', MAX_CAPTION_LENGTH) ?? optionalText(body, 'text', MAX_CAPTION_LENGTH);
  const voice = body.voice ?? false;
  if (typeof voice !== 'boolean') throw new SendError(400, "'voice' must be true or false.");
  if (voice && kind !== 'audio') throw new SendError(400, "'voice' goes with 'audio': a voice note is an audio file.");
  if (caption && (kind === 'audio' || kind === 'sticker'))
    throw new SendError(
      400,
      `WhatsApp shows no caption on ${kind === 'audio' ? 'audio' : 'stickers'}: drop 'caption' (and 'text'), or send the text on its own.`,
    );
  const mimetype = optionalText(body, 'mimetype', 255);
  // Parameters in printable ASCII only: the type goes into the message WhatsApp delivers.
  if (mimetype && !/^[\w.+-]+\/[\w.+-]+( *;[\x20-\x7e]*)?$/.test(mimetype))
    throw new SendError(400, "'mimetype' must look like type/subtype, e.g. image/jpeg.");
  return { kind, source: sourceOf(kind, body[kind]), caption, fileName: optionalText(body, 'file_name', 255), mimetype, voice };
}

function sourceOf(kind: OutgoingKind, value: unknown): MediaSource {
  const shape = `'${kind}' must be {"path": "/media/..."}, {"url": "https://..."} or {"base64": "..."}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SendError(400, `${shape}.`);
  const fields = Object.keys(value).filter((k) => ['path', 'url', 'base64'].includes(k));
  if (fields.length !== 1) throw new SendError(400, `${shape}: give exactly one of them.`);
  const given = (value as Record<string, unknown>)[fields[0]!];
  if (given instanceof Base64File && fields[0] === 'base64') return { file: given };
  if (typeof given !== 'string' || given.trim() === '') throw new SendError(400, `'${kind}.${fields[0]}' must be non-empty text.`);
  if (fields[0] === 'path') return { path: given };
  if (fields[0] === 'url') return { url: httpUrl(kind, given) };
  // Only the message API's body reader makes a Base64File; any other base64 did not come through it.
  throw new SendError(400, `'${kind}.base64' must be sent in the body of POST /api/send.`);
}

function httpUrl(kind: OutgoingKind, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SendError(400, `'${kind}.url' is not a URL: give the full address, e.g. https://camera.example.com/snapshot.jpg.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SendError(400, `'${kind}.url' must start with http:// or https://, not ${url.protocol}//.`);
  return url;
}

function optionalText(body: Record<string, unknown>, key: string, max: number): string | null {
  const value = body[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new SendError(400, `'${key}' must be text.`);
  if (value.length > max) throw new SendError(400, `'${key}' is longer than ${max} characters.`);
  return value;
}
