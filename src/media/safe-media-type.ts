// A received file's type is the sender's words (any WhatsApp client can put any string in
// `mimetype`), so it is reduced to a form that is safe in an HTTP header before anything uses it.

export const OCTET_STREAM = 'application/octet-stream';

/** RFC 9110 `token`. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** RFC 9110 `quoted-string` without obs-text: printable ASCII, tab, and `\`-escapes only. */
const QUOTED = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t !-~])*"';
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})((?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*)[ \\t]*;?[ \\t]*$`);
const PARAMETER = new RegExp(`;[ \\t]*(${TOKEN})=(${TOKEN}|${QUOTED})`, 'g');
/** A real type is short; a long one is junk (and would only bloat headers and payloads). */
const MAX_LENGTH = 200;

/**
 * The sender's `mimetype` as a valid `type/subtype[; name=value]` (type and subtype lower case),
 * or `application/octet-stream` when it is not one (line breaks, NUL, non-ASCII, junk
 * parameters); null stays null (the message named no type).
 */
export function safeMimetype(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const match = value.length <= MAX_LENGTH ? MEDIA_TYPE.exec(value.trim()) : null;
  if (!match) return OCTET_STREAM;
  const params = [...match[3]!.matchAll(PARAMETER)].map((p) => `${p[1]!.toLowerCase()}=${p[2]}`);
  return [`${match[1]!.toLowerCase()}/${match[2]!.toLowerCase()}`, ...params].join('; ');
}

/** `type/subtype` of a safe MIME type, without parameters. */
export function essenceOf(mimetype: string): string {
  return mimetype.split(';')[0]!.trim().toLowerCase();
}

/**
 * Types a browser only ever shows as a picture, a video or a sound: served `inline`. Anything
 * else (SVG and HTML above all, which run script; every text/*; PDFs) is an `attachment`.
 */
const SHOWN_SAFELY = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'video/mp4',
  'video/webm',
  'video/3gpp',
  'video/quicktime',
  'audio/ogg',
  'audio/opus',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/wav',
  'audio/webm',
  'audio/flac',
  'audio/amr',
]);

export function isShownSafely(mimetype: string): boolean {
  return SHOWN_SAFELY.has(essenceOf(mimetype));
}

/** Start tags that make a browser treat a file as HTML (the WHATWG MIME Sniffing standard's HTML patterns, plus a few). */
const HTML_START = /^<(!doctype html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|img|svg|object|embed|meta|link|form|!--)[\s>/]/i;

/**
 * Markup a browser would run, told from the first bytes: SVG, HTML or other XML. `file-type`
 * does not tell these (it calls an SVG `application/xml`, and knows no HTML), and they are
 * exactly the files that must never pass for an image.
 */
export function markupType(head: Buffer): string | null {
  const text = head
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (!text.startsWith('<')) return null;
  if (/<svg[\s>/]/i.test(text)) return 'image/svg+xml';
  if (HTML_START.test(text) || /<(html|script|body)[\s>/]/i.test(text)) return 'text/html';
  if (/^<\?xml[\s?]/i.test(text)) return 'application/xml';
  return null;
}

/**
 * The type a file is stored and served as: what its bytes are (`markup`, then `detected` by
 * magic bytes) when they tell; the sender's claim only when they do not. A claim that agrees
 * with the bytes keeps its parameters (`audio/ogg; codecs=opus`).
 */
export function storedMimetype(claimed: string | null, detected: string | null, markup: string | null): string {
  const safeClaim = safeMimetype(claimed);
  const fromBytes = markup ?? safeMimetype(detected);
  if (!fromBytes) return safeClaim ?? OCTET_STREAM;
  return safeClaim && essenceOf(safeClaim) === essenceOf(fromBytes) ? safeClaim : fromBytes;
}
