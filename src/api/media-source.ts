import { createWriteStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { USER_AGENT } from '../version.js';
import type { MediaRequest } from './media-request.js';
import { SendError } from './send-error.js';

/** A file ready to hand to Baileys: on disk (streamed while uploading) or in memory. */
export interface LoadedMedia {
  content: { url: string } | Buffer;
  size: number;
  /** What the bytes are, when they tell (magic numbers). */
  detected: string | null;
  /** Removes a temporary copy (a downloaded URL). */
  release(): Promise<void>;
}

export interface SourceLimits {
  /** Folders a `path` may be in, after `..` and symbolic links are resolved. */
  allowedFolders: readonly string[];
  /** Largest file fetched from a `url` (media_max_size). */
  maxDownloadBytes: number;
}

const DOWNLOAD_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

/** Loads the file of a send request; every refusal is a SendError that says what to fix. */
export async function loadMedia(request: MediaRequest, limits: SourceLimits): Promise<LoadedMedia> {
  const { source } = request;
  if ('bytes' in source) {
    const { fileTypeFromBuffer } = await fileType();
    return {
      content: source.bytes,
      size: source.bytes.length,
      detected: (await fileTypeFromBuffer(source.bytes))?.mime ?? null,
      release: async () => undefined,
    };
  }
  if ('path' in source) return fromPath(request.kind, source.path, limits.allowedFolders);
  return fromUrl(request.kind, source.url, limits.maxDownloadBytes);
}

async function fromPath(kind: string, path: string, allowedFolders: readonly string[]): Promise<LoadedMedia> {
  const outside = new SendError(403, `'${kind}.path' must be a file inside ${allowedFolders.join(', ')}.`);
  if (!path.startsWith('/')) throw outside;
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    // Tell "not there" apart from "not allowed" only inside the allowed folders.
    if (await insideAny(path, allowedFolders)) throw new SendError(404, `'${kind}.path': ${path} does not exist.`);
    throw outside;
  }
  if (!(await insideAny(real, allowedFolders))) throw outside;
  const info = await stat(real);
  if (!info.isFile()) throw new SendError(400, `'${kind}.path': ${path} is not a file.`);
  return { content: { url: real }, size: info.size, detected: await detect(real), release: async () => undefined };
}

/** Is `path` (resolved) inside one of the folders (resolved too; folders that do not exist are skipped)? */
async function insideAny(path: string, folders: readonly string[]): Promise<boolean> {
  for (const folder of folders) {
    const realFolder = await realpath(folder).catch(() => null);
    if (realFolder && (path === realFolder || path.startsWith(realFolder.endsWith(sep) ? realFolder : realFolder + sep))) return true;
  }
  return false;
}

async function fromUrl(kind: string, url: URL, maxBytes: number): Promise<LoadedMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'wab-send-'));
  const file = join(dir, 'download');
  const release = () => rm(dir, { recursive: true, force: true });
  let size = 0;
  try {
    const { default: axios } = await httpClient();
    const response = await axios.get(url.href, {
      responseType: 'stream',
      maxRedirects: MAX_REDIRECTS,
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      validateStatus: () => true,
      headers: { 'User-Agent': USER_AGENT },
    });
    if (response.status < 200 || response.status >= 300) {
      response.data.destroy();
      throw new SendError(502, `Fetching '${kind}.url' failed: ${url.host} answered HTTP ${response.status}.`);
    }
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > maxBytes ? new SendError(413, `'${kind}.url' is larger than media_max_size (${Math.round(maxBytes / 1024 / 1024)} MB).`) : null, chunk);
      },
    });
    await pipeline(response.data, limit, createWriteStream(file));
  } catch (error) {
    await release();
    if (error instanceof SendError) throw error;
    throw new SendError(502, `Fetching '${kind}.url' from ${url.host} failed: ${describe(error)}.`);
  }
  return { content: { url: file }, size, detected: await detect(file), release };
}

/** file-type is loaded on the first file sent, not at start: it is not needed at rest. */
const fileType = () => import('file-type');
/** axios likewise, on the first file sent by URL: about 5 MB at rest (docs/performance.md, "Idle memory"). */
const httpClient = () => import('axios');

async function detect(path: string): Promise<string | null> {
  const { fileTypeFromFile } = await fileType();
  return (await fileTypeFromFile(path))?.mime ?? null;
}

function describe(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'ERR_CANCELED') return `no complete answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  if (e.code === 'ERR_FR_TOO_MANY_REDIRECTS') return `more than ${MAX_REDIRECTS} redirects`;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
  return e.code ?? e.message ?? String(error);
}
