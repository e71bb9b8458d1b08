import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { megabytes } from './byte-size.js';
import { SendError } from './send-error.js';

const DATA_URL_PREFIX = /^data:[^,]*;base64$/;
/** A `data:` prefix longer than this is not one. */
const MAX_PREFIX_LENGTH = 256;

/**
 * A request's `<kind>.base64`, decoded into a temporary file while the request is read, so a
 * 60 MB file never sits in memory as text, as a parsed string and as bytes at once. Standard or
 * URL-safe base64, with or without a `data:...;base64,` prefix, whitespace ignored; anything else
 * is refused as soon as it shows.
 */
export class Base64File {
  size = 0;
  private head = '';
  private prefixDone = false;
  /** Characters of an incomplete group of four, or everything from the first `=` on. */
  private pending = '';
  private characters = 0;

  private constructor(
    readonly kind: string,
    private readonly dir: string,
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly maxBytes: number,
  ) {}

  static async create(kind: string, maxBytes: number): Promise<Base64File> {
    const dir = await mkdtemp(join(tmpdir(), 'wab-send-'));
    const path = join(dir, 'upload');
    const stream = createWriteStream(path, { mode: 0o600 });
    stream.on('error', () => undefined); // surfaced by `once` in write/finish
    return new Base64File(kind, dir, path, stream, maxBytes);
  }

  /** Decodes the next piece of the text. */
  async write(piece: string): Promise<void> {
    let text = piece;
    if (!this.prefixDone) {
      this.head += text;
      if (this.head.length < 5 && 'data:'.startsWith(this.head)) return;
      if (this.head.startsWith('data:')) {
        const comma = this.head.indexOf(',');
        if (comma < 0) {
          if (this.head.length > MAX_PREFIX_LENGTH) throw this.invalid();
          return;
        }
        if (!DATA_URL_PREFIX.test(this.head.slice(0, comma))) throw this.invalid();
        text = this.head.slice(comma + 1);
      } else text = this.head;
      this.prefixDone = true;
      this.head = '';
    }
    const clean = text.replace(/\s+/g, '');
    if (clean === '') return;
    if (!/^[A-Za-z0-9+/_-]*=*$/.test(clean) || (this.pending.includes('=') && /[^=]/.test(clean))) throw this.invalid();
    this.characters += clean.length;
    this.pending += clean;
    if (this.pending.includes('=')) return; // the end: decoded in finish
    const whole = this.pending.length - (this.pending.length % 4);
    if (whole === 0) return;
    await this.append(Buffer.from(this.pending.slice(0, whole), 'base64'));
    this.pending = this.pending.slice(whole);
  }

  /** Decodes what is left and closes the file; refuses text that was not base64 or held nothing. */
  async finish(): Promise<void> {
    if (!this.prefixDone) {
      // Fewer than five characters, or a `data:` prefix that never ended.
      const head = this.head;
      this.prefixDone = true;
      this.head = '';
      if (head.includes(':')) throw this.invalid();
      await this.write(head);
    }
    const pads = this.pending.length - this.pending.replace(/=+$/, '').length;
    if (pads > 2 || this.characters % 4 === 1) throw this.invalid();
    if (this.pending) await this.append(Buffer.from(this.pending, 'base64'));
    this.pending = '';
    this.stream.end();
    await once(this.stream, 'close');
    if (this.size === 0) throw new SendError(400, `'${this.kind}.base64' holds no bytes.`);
  }

  /** Removes the file (also half-written); safe to call more than once. */
  async remove(): Promise<void> {
    this.stream.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async append(bytes: Buffer): Promise<void> {
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      const limit = megabytes(this.maxBytes);
      const kinds = this.kind === 'document' ? 'documents' : `${this.kind}s`;
      throw new SendError(
        413,
        `The ${this.kind} in '${this.kind}.base64' is larger than ${limit}; WhatsApp takes at most ${limit} for ${kinds}${this.kind === 'document' ? '' : ' (send it as a document instead)'}.`,
      );
    }
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }

  private invalid(): SendError {
    return new SendError(400, `'${this.kind}.base64' is not valid base64.`);
  }
}
