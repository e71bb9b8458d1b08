// Files a hostile contact sends. Nothing on WhatsApp's side checks what a client puts into a media
// message: `mimetype`, `fileName` and the message id are whatever the sending client chose
// (Baileys itself takes them from the caller: `sendMessage(jid, { document, mimetype, fileName },
// { messageId })`, Types/Message.d.ts). Public reports of what such values do on the receiving side:
// - a declared type that differs from the content, made to mislead the receiver: CVE-2025-30401
//   (Meta's advisory for WhatsApp for Windows: attachments shown by their MIME type but opened by
//   their file name extension);
// - a value with line breaks or non-ASCII characters used as a header ends a Node server with
//   ERR_INVALID_CHAR: nuxt/image #376 (Content-Type), jonahsnider/maroon #127 (Content-Disposition
//   with a non-ASCII file name);
// - a peer's file name with `../` used as a path: schollz/e2ecp #9.
import type { MediaSpec } from './media-types.js';

/** Declared types that are not a valid `type/subtype`, each as a sender can put it in `mimetype`. */
export const HOSTILE_MIMETYPES = {
  /** A header of its own after a line break (response splitting). */
  crlf: 'application/pdf\r\nX-Injected: yes',
  nul: 'application/pdf\u0000',
  /** A parameter with a non-ASCII file name, as a mail client would write it. */
  nonAscii: 'application/pdf; name="Rechnung €.pdf"',
  junkParameters: 'image/jpeg; ;;=; "x',
} as const;

/** Document names that try to leave the folder, break a header or hide what the file is. */
export const HOSTILE_FILE_NAMES = {
  traversal: '../../../../etc/cron.d/evil.pdf',
  windowsTraversal: '..\\..\\boot.ini',
  controls: 'invoice\r\nX-Injected: yes\u0000.pdf',
  quotes: 'a"; filename="evil.html',
  /** U+202E turns "invoice_fdp.exe" into "invoice_exe.pdf" on screen. */
  bidiOverride: 'invoice_\u202efdp.exe',
  nonAscii: 'Rechnung €.pdf',
} as const;

/** An SVG that runs script when a browser opens it from the server's origin. */
export function sampleSvg(): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a drawing -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>fetch("/api/status")</script><rect width="10" height="10"/></svg>\n',
  );
}

/** An HTML page with script. */
export function sampleHtml(): Buffer {
  return Buffer.from('<!DOCTYPE html>\n<html><body><script>document.title = "stolen"</script></body></html>\n');
}

/** A minimal PDF (header, one empty page, trailer): what its magic bytes say is application/pdf. */
export function samplePdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 10 10]>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
  );
}

/** A markup file passed off as a photo: the image kind, an image type, a `.jpg`-looking message. */
export function markupAsImage(data: Buffer, mimetype = 'image/jpeg'): MediaSpec {
  return { kind: 'image', data, mimetype, caption: 'holiday photo', width: 10, height: 10 };
}
