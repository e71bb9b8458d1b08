import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import { makeMediaCertificates } from './media-certificates.js';
import { decryptMedia, type MediaKind } from './media-crypto.js';
import { mediaContentOf, type MediaLocation } from './media-messages.js';
import type { DownloadFailure, MediaRequest, MediaUpload } from './media-types.js';

/** The size limit announced in `media_conn` (WhatsApp's for documents); bigger uploads get 413. */
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** WhatsApp's CDN path prefix per kind (`t62.<code>`), so paths look like the real ones. */
const PATH_CODES: Record<MediaKind, string> = {
  image: '7118-24',
  video: '7161-24',
  audio: '7114-24',
  document: '7119-24',
  sticker: '15575-24',
};

const TWO_WEEKS_S = 14 * 86_400;

const base64url = (data: Uint8Array): string => Buffer.from(data).toString('base64url');
const digits = (): string => randomBytes(8).readBigUInt64BE(0).toString();
/** The signed query of WhatsApp's CDN URLs: `oh` a signature, `oe` the expiry (unix seconds, hex). */
const cdnQuery = (ccb: string, sid: string): string =>
  `ccb=${ccb}&oh=01_${base64url(randomBytes(18))}&oe=${(Math.floor(Date.now() / 1000) + TWO_WEEKS_S).toString(16).toUpperCase()}&_nc_sid=${sid}`;

interface StoredFile {
  readonly encrypted: Buffer;
  /** 410 once the file has expired: WhatsApp's CDN drops media after a few weeks. */
  gone: boolean;
  /** Each download waits this long before the answer (ms). */
  delayMs: number;
}

/**
 * WhatsApp's media CDN on 127.0.0.1: HTTPS with a certificate from a throwaway CA (a client trusts
 * it with `NODE_EXTRA_CA_CERTS=<caFile>`, plain Node), serving encrypted files by path (with Range)
 * and taking uploads as `POST /mms/<type>/<fileEncSha256>?auth=…&token=…`. Files live in memory.
 */
export class MediaHost {
  /** Every upload the client made, in order. */
  readonly uploads: MediaUpload[] = [];
  /** Every HTTP request the host answered, in order. */
  readonly requests: MediaRequest[] = [];
  /** The upload token handed out in `media_conn`. */
  private readonly auth = base64url(randomBytes(24));
  private readonly files = new Map<string, StoredFile>();
  private failures: { left: number; how: DownloadFailure } = { left: 0, how: 'reset' };

  private constructor(
    private readonly server: Server,
    /** The CA certificate (PEM), e.g. for `new https.Agent({ ca })`. */
    readonly ca: string,
    /** A temp file holding `ca`: what `NODE_EXTRA_CA_CERTS` points to. */
    readonly caFile: string,
  ) {
    server.on('request', (req, res) => this.handle(req, res));
  }

  /** Makes a fresh CA, writes it to a temp file and listens on a free port of 127.0.0.1. */
  static async start(): Promise<MediaHost> {
    const { caPem, certPem, keyPem } = makeMediaCertificates();
    const dir = await mkdtemp(join(tmpdir(), 'wa-sim-media-'));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, caPem);
    const server = createServer({ cert: certPem, key: keyPem });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new MediaHost(server, caPem, caFile);
  }

  /** `127.0.0.1:PORT`, as `media_conn` names hosts. */
  get hostname(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The answer to the client's `<iq xmlns="w:m"><media_conn/></iq>`: this host for uploads. */
  mediaConnNode(): BinaryNode {
    return {
      tag: 'media_conn',
      attrs: { auth: this.auth, ttl: '300', auth_ttl: '21600', max_buckets: '12' },
      content: [{ tag: 'host', attrs: { hostname: this.hostname, maxContentLengthBytes: String(MAX_UPLOAD_BYTES) } }],
    };
  }

  /** Stores an encrypted file at a fresh path, as the sender's phone uploaded it; `gone` files answer 410, `delayMs` delays each download. */
  store(encrypted: Buffer, kind: MediaKind, gone = false, delayMs = 0): MediaLocation {
    const path = `/v/t62.${PATH_CODES[kind]}/${digits()}_${digits()}_n.enc`;
    this.files.set(path, { encrypted, gone, delayMs });
    return this.location(path, cdnQuery('11-4', '5e03e0'));
  }

  /**
   * The plain bytes of a media message (the client's own uploads included), after checking
   * fileEncSha256, the MAC, fileSha256 and fileLength against what the message says.
   */
  download(message: proto.IMessage): Buffer {
    const content = mediaContentOf(message);
    if (!content) throw new Error('simulator: not a media message');
    const { kind, media } = content;
    const path = this.pathOf(media.directPath ?? media.url ?? '');
    const file = this.files.get(path);
    if (!file) throw new Error(`simulator: no file at ${path} on the media host`);
    return decryptMedia(file.encrypted, kind, { ...media, mediaKey: media.mediaKey! });
  }

  /**
   * The next `count` downloads of a stored file fail as a flaky network makes them: 'reset' drops
   * the connection before answering, 'cut' sends half the file and then drops it; 'forbidden'
   * answers 403.
   */
  failNextDownloads(count: number, how: DownloadFailure = 'reset'): void {
    this.failures = { left: count, how };
  }

  /** Closes the server and deletes the CA file. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(dirname(this.caFile), { recursive: true, force: true });
  }

  private location(path: string, query: string): MediaLocation {
    return { directPath: `${path}?${query}`, url: `https://${this.hostname}${path}?${query}&mms3=true` };
  }

  private pathOf(urlOrPath: string): string {
    return new URL(urlOrPath, `https://${this.hostname}`).pathname;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `https://${this.hostname}`);
    const answer = (status: number, headers: Record<string, string | number> = {}, body?: Buffer | string) => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, status, ...(req.headers.range ? { range: req.headers.range } : {}) });
      res.writeHead(status, headers).end(body);
    };
    if (req.method === 'POST' && url.pathname.startsWith('/mms/')) {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_UPLOAD_BYTES) chunks.push(chunk);
      });
      req.on('end', () => {
        const result = size > MAX_UPLOAD_BYTES ? { status: 413, body: { error: 'too large' } } : this.upload(url, Buffer.concat(chunks));
        answer(result.status, { 'content-type': 'application/json' }, JSON.stringify(result.body));
      });
      return;
    }
    const file = req.method === 'GET' ? this.files.get(url.pathname) : undefined;
    if (!file) return answer(404);
    if (file.gone) return answer(410);
    if (file.delayMs > 0) {
      const timer = setTimeout(() => this.serve(req, res, url, file, answer), file.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    this.serve(req, res, url, file, answer);
  }

  /** Answers a GET of a stored file: whole, by Range, or failed on purpose (`failNextDownloads`). */
  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    file: StoredFile,
    answer: (status: number, headers?: Record<string, string | number>, body?: Buffer | string) => void,
  ): void {
    const total = file.encrypted.length;
    if (this.failures.left > 0 && this.failures.how === 'forbidden') {
      this.failures.left--;
      return answer(403);
    }
    if (this.failures.left > 0) {
      this.failures.left--;
      this.requests.push({ method: 'GET', path: url.pathname, status: 0, failed: this.failures.how });
      if (this.failures.how === 'cut') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
        res.write(file.encrypted.subarray(0, total >> 1), () => req.socket.destroy());
      } else req.socket.destroy();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) return answer(200, { 'content-type': 'application/octet-stream', 'content-length': total }, file.encrypted);
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : total - 1, total - 1);
    if (start > end) return answer(416, { 'content-range': `bytes */${total}` });
    const part = file.encrypted.subarray(start, end + 1);
    answer(206, { 'content-type': 'application/octet-stream', 'content-length': part.length, 'content-range': `bytes ${start}-${end}/${total}` }, part);
  }

  /** `POST /mms/<type>/<fileEncSha256 base64url>?auth=…&token=…`: checks the token and the hash, keeps the file. */
  private upload(url: URL, encrypted: Buffer): { status: number; body: Record<string, unknown> } {
    const [, , type = '', hash = ''] = url.pathname.split('/');
    if (url.searchParams.get('auth') !== this.auth) return { status: 401, body: { error: 'bad auth' } };
    if (url.searchParams.get('token') !== hash || base64url(createHash('sha256').update(encrypted).digest()) !== hash) {
      return { status: 400, body: { error: 'hash mismatch' } };
    }
    const path = `/o1/v/t62.${PATH_CODES[type as MediaKind] ?? PATH_CODES.document}/f1/m${randomBytes(1)[0]}/${base64url(randomBytes(16))}`;
    this.files.set(path, { encrypted, gone: false, delayMs: 0 });
    const { url: mediaUrl, directPath } = this.location(path, cdnQuery('9-4', 'e6ed6c'));
    this.uploads.push({ type, directPath, url: mediaUrl, encrypted });
    return { status: 200, body: { url: mediaUrl, direct_path: directPath, handle: null, object_id: digits() } };
  }
}
