import type { IncomingMessage } from 'node:http';
import type { SendTicket } from '../outgoing/admission.js';
import { Base64File } from '../outgoing/base64-file.js';
import { megabytes, sizeAgainstLimit } from '../outgoing/byte-size.js';
import { MEDIA_KEYS, WHATSAPP_LIMITS, type OutgoingKind } from '../outgoing/media-request.js';
import { SendError } from '../outgoing/send-error.js';

/** Of a send request, at most this much is kept in memory: everything but the file's base64. */
const MAX_JSON_BYTES = 1024 * 1024;
/** The largest file WhatsApp takes (a document), as base64, plus the rest of the request. */
export const MAX_BODY_BYTES = Math.ceil((WHATSAPP_LIMITS.document * 4) / 3) + MAX_JSON_BYTES;

/** A send request as read: its JSON, where `<kind>.base64` is the decoded file (a Base64File). */
export interface SendBody {
  fields: unknown;
  file: Base64File | null;
}

const BROKEN_JSON = 'The body must be JSON, e.g. {"to": "...", "text": "..."}.';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

interface Frame {
  object: boolean;
  /** The last key read in this object. */
  key: string | null;
  expectKey: boolean;
}

/**
 * Reads a send request's body in bounded memory. The JSON is scanned as it arrives: the string
 * at `<kind>.base64` goes straight through the base64 decoder into a temporary file (after the
 * ticket got a load slot), the rest is kept (at most 1 MB) and parsed at the end. Refusals are
 * SendErrors: 415 for a compressed body, 413 past the limits, 400 for broken JSON.
 */
export async function readSendBody(req: IncomingMessage, ticket: SendTicket): Promise<SendBody> {
  // The Content-Type is checked before (the route's onlyJson).
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') throw new SendError(415, `Send the body uncompressed: 'Content-Encoding: ${encoding.slice(0, 20)}' is not taken.`);
  const declared = Number(req.headers['content-length']);
  const tooLarge = (size: number | null) => {
    const sizes = size ? sizeAgainstLimit(size, MAX_BODY_BYTES) : { size: 'larger', limit: megabytes(MAX_BODY_BYTES) };
    return new SendError(413, `The request is ${sizes.size}; at most ${sizes.limit}: send a large file by "path" or "url" instead of "base64".`);
  };
  if (declared > MAX_BODY_BYTES) throw tooLarge(declared);
  const scanner = new BodyScanner(ticket);
  try {
    let total = 0;
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) throw tooLarge(null);
      await scanner.push(chunk);
    }
    return await scanner.end();
  } catch (error) {
    await scanner.file?.remove();
    if (error instanceof SendError || !req.readableAborted) throw error;
    throw new SendError(400, 'The request ended before its body was complete.');
  }
}

/** Finds the structure of JSON text (strings, objects, arrays, keys) without parsing its values. */
class BodyScanner {
  file: Base64File | null = null;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private readonly stack: Frame[] = [];
  private inString: 'key' | 'value' | 'file' | null = null;
  private escaped = false;
  private keyParts: Buffer[] = [];
  /** An escape sequence inside the file's string, split across chunks (starts with a backslash). */
  private fileEscape = '';

  constructor(private readonly ticket: SendTicket) {}

  async push(chunk: Buffer): Promise<void> {
    let keepFrom = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.inString === 'file') {
        i = await this.fileText(chunk, i);
        keepFrom = i; // the closing quote (if found) is kept: the JSON holds "" there
        if (this.inString === 'file') return;
        i++;
        continue;
      }
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) {
          if (this.inString === 'key') this.endKey(chunk.subarray(keepFrom, i));
          this.inString = null;
        }
      } else if (byte === QUOTE) {
        const top = this.stack.at(-1);
        if (top?.object && top.expectKey) {
          this.inString = 'key';
          this.keyParts = [];
          this.keep(chunk.subarray(keepFrom, i + 1));
          keepFrom = i + 1;
        } else if (this.atFileValue()) {
          this.keep(chunk.subarray(keepFrom, i + 1));
          keepFrom = i + 1;
          await this.openFile(this.stack[0]!.key as OutgoingKind);
        } else this.inString = 'value';
      } else if (byte === 0x7b || byte === 0x5b) this.stack.push({ object: byte === 0x7b, key: null, expectKey: byte === 0x7b });
      else if (byte === 0x7d || byte === 0x5d) this.stack.pop();
      else if (byte === 0x3a && this.stack.at(-1)?.object) this.stack.at(-1)!.expectKey = false;
      else if (byte === 0x2c && this.stack.at(-1)?.object) this.stack.at(-1)!.expectKey = true;
      i++;
    }
    const rest = chunk.subarray(keepFrom);
    if (this.inString === 'key') this.keyParts.push(rest);
    this.keep(rest);
  }

  async end(): Promise<SendBody> {
    const broken = new SendError(400, BROKEN_JSON);
    if (this.inString) throw broken;
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.concat(this.kept).toString('utf8'));
    } catch {
      throw broken;
    }
    const media = this.file && (fields as Record<string, unknown>)[this.file.kind];
    if (this.file && typeof media === 'object' && media !== null) (media as Record<string, unknown>).base64 = this.file;
    return { fields, file: this.file };
  }

  /** Is the string starting here the value of `<media key>.base64`? */
  private atFileValue(): boolean {
    const [root, media] = this.stack;
    return (
      this.stack.length === 2 &&
      root!.object &&
      (MEDIA_KEYS as readonly (string | null)[]).includes(root!.key) &&
      media!.object &&
      media!.key === 'base64' &&
      !media!.expectKey
    );
  }

  private async openFile(kind: OutgoingKind): Promise<void> {
    if (this.file) throw new SendError(400, `Send one file at a time: the request has ${this.file.kind} and ${kind}.`);
    await this.ticket.loadSlot();
    this.file = await Base64File.create(kind, WHATSAPP_LIMITS[kind]);
    this.inString = 'file';
  }

  /** Feeds the file's text from `from` to its closing quote (or the chunk's end) to the decoder; returns where it stopped. */
  private async fileText(chunk: Buffer, from: number): Promise<number> {
    let i = from;
    while (i < chunk.length) {
      if (this.fileEscape) {
        this.fileEscape += String.fromCharCode(chunk[i++]!);
        const unicode = this.fileEscape[1] === 'u';
        if (unicode && this.fileEscape.length < 6) continue;
        const hex = this.fileEscape.slice(2);
        const char = unicode ? (/^[0-9a-f]{4}$/i.test(hex) ? String.fromCharCode(parseInt(hex, 16)) : undefined) : JSON_ESCAPES[this.fileEscape[1]!];
        this.fileEscape = '';
        if (char === undefined) throw new SendError(400, BROKEN_JSON);
        await this.file!.write(char);
        continue;
      }
      const quote = chunk.indexOf(QUOTE, i);
      const backslash = chunk.indexOf(BACKSLASH, i);
      const stop = quote < 0 ? backslash : backslash < 0 ? quote : Math.min(quote, backslash);
      const end = stop < 0 ? chunk.length : stop;
      if (end > i) await this.file!.write(chunk.toString('latin1', i, end));
      if (stop < 0) return chunk.length;
      if (chunk[stop] === QUOTE) {
        await this.file!.finish();
        this.inString = null;
        return stop;
      }
      this.fileEscape = '\\';
      i = stop + 1;
    }
    return i;
  }

  private endKey(last: Buffer): void {
    this.keyParts.push(last);
    let key: string | null = null;
    try {
      key = JSON.parse(`"${Buffer.concat(this.keyParts).toString('utf8')}"`) as string;
    } catch {
      key = null; // broken JSON: the final parse says so
    }
    this.stack.at(-1)!.key = key;
    this.keyParts = [];
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.keptBytes += part.length;
    if (this.keptBytes > MAX_JSON_BYTES)
      throw new SendError(413, `The request holds more than ${MAX_JSON_BYTES / 1024 / 1024} MB besides the file's base64: shorten the text or caption.`);
    this.kept.push(part);
  }
}
