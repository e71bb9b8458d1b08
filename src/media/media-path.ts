import { extname, join } from 'node:path';
import type { MediaKind } from './media-info.js';

/** Extensions by MIME type for the kinds WhatsApp sends; anything else falls back to the kind's. */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/wav': 'wav',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  // A page a browser would run ends in .txt: Home Assistant serves /media files by extension,
  // and an .svg there would run its script on Home Assistant's own origin.
  'image/svg+xml': 'svg.txt',
  'text/html': 'html.txt',
  'application/xml': 'xml.txt',
};
/** Extensions a browser (or Home Assistant's media view) would open as a page or a script. */
const ACTIVE_EXTENSIONS = new Set(['svg', 'svgz', 'html', 'htm', 'xhtml', 'xht', 'shtml', 'xml', 'xsl', 'js', 'mjs', 'hta', 'mht', 'mhtml']);
const KIND_EXTENSIONS: Record<MediaKind, string> = { image: 'jpg', video: 'mp4', audio: 'ogg', document: 'bin', sticker: 'webp' };

/** At most this many characters of the sender's file name go into the saved file's name. */
const MAX_NAME_LENGTH = 80;

/**
 * Where a received file is saved: `<folder>/<chat>/<YYYY-MM-DD>_<message id>[_<name>].<ext>`,
 * `<chat>` being the phone digits or the group id. Every part is reduced to safe characters, so
 * nothing a sender chooses can leave the folder, hide the file (leading dot) or clash with
 * another message's file (the id is in every name). The extension follows `mimetype` (the type
 * the bytes showed, once saved), the sender's name only for a type without a known extension.
 */
export function mediaFilePath(
  folder: string,
  p: { chat: string; messageId: string; timestamp: number; kind: MediaKind; mimetype: string | null; fileName: string | null },
): string {
  const chatFolder = safePart(p.chat.split('@')[0]!) || 'unknown';
  const day = new Date((p.timestamp || Date.now() / 1000) * 1000).toISOString().slice(0, 10);
  const ext = extensionFor(p.kind, p.mimetype, p.fileName);
  const nameExt = p.fileName ? extname(p.fileName) : '';
  const name = p.fileName ? safePart(p.fileName.slice(0, p.fileName.length - nameExt.length)).slice(0, MAX_NAME_LENGTH) : '';
  return join(folder, chatFolder, `${day}_${safePart(p.messageId)}${name ? `_${name}` : ''}.${ext}`);
}

/** Letters, digits, `-`, `_`; runs of anything else become one `_`; no leading or trailing `_`/`.`. */
function safePart(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_.-]+|[_.-]+$/g, '');
}

function extensionFor(kind: MediaKind, mimetype: string | null, fileName: string | null): string {
  const base = mimetype?.split(';')[0]?.trim().toLowerCase();
  const fromType = base ? EXTENSIONS[base] : undefined;
  if (fromType) return fromType;
  const fromName = fileName ? safePart(extname(fileName).slice(1)).toLowerCase().slice(0, 10) : '';
  if (fromName) return ACTIVE_EXTENSIONS.has(fromName) ? `${fromName}.txt` : fromName;
  return KIND_EXTENSIONS[kind];
}
