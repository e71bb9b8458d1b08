import { basename, extname } from 'node:path';
import type { SavedFile } from '../media/media-files.js';
import { isShownSafely, OCTET_STREAM, safeMimetype } from '../media/safe-media-type.js';

/** At most this many characters of the sender's name go into the download's name. */
const MAX_NAME_LENGTH = 100;

/**
 * The headers of a saved file's answer, built only from safe forms: the type as a valid token
 * (a stored type from an older version may still be the sender's words), `inline` only for
 * pictures, videos and sounds, a file name that cannot break the header, and no caching (the
 * answer needs the token).
 */
export function mediaHeaders(file: SavedFile): Record<string, string> {
  const type = safeMimetype(file.mimetype) ?? OCTET_STREAM;
  const disposition = isShownSafely(type) ? 'inline' : 'attachment';
  return {
    'Content-Type': type,
    'Content-Disposition': `${disposition}; ${fileNameParameters(downloadName(file))}`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  };
}

/**
 * The name a browser saves the file as: the sender's name (documents) with the saved file's
 * extension, which follows the type the bytes showed, so a program is never opened by a name
 * that says something else; otherwise the saved file's own name.
 */
export function downloadName(file: SavedFile): string {
  const saved = basename(file.path);
  // Saved names have no dot before the extension (media-path.ts): everything after the first is it (e.g. `svg.txt`).
  const ext = saved.includes('.') ? saved.slice(saved.indexOf('.')) : '';
  const sent = file.fileName ? cleanName(file.fileName) : '';
  const stem = cleanName(sent.slice(0, sent.length - extname(sent).length)).slice(0, MAX_NAME_LENGTH);
  return stem ? `${stem}${ext}` : saved;
}

/** The last path segment, without control or format characters (line breaks, NUL, bidi overrides), no leading dots or spaces. */
function cleanName(name: string): string {
  return (name.split(/[/\\]/).at(-1) ?? '')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') // encodeURIComponent throws on a lone surrogate
    .replace(/^[\s.]+|\s+$/g, '');
}

/** RFC 6266: an ASCII `filename` for old clients, and the exact name as `filename*` (RFC 8187, UTF-8). */
export function fileNameParameters(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
