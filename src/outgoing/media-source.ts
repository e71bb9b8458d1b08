import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type { SendTicket } from './admission.js';
import type { MediaRequest } from './media-request.js';
import { SendError } from './send-error.js';
import { downloadTo } from './url-download.js';
import type { UrlGuard } from './url-guard.js';

/** A file ready to hand to Baileys, on disk (streamed while uploading). */
export interface LoadedMedia {
  content: { url: string };
  size: number;
  /** What the bytes are, when they tell (magic numbers). */
  detected: string | null;
  /** Removes a temporary copy (a download, a decoded base64). */
  release(): Promise<void>;
}

export interface SourceLimits {
  /** Folders a `path` may be in, after `..` and symbolic links are resolved. */
  allowedFolders: readonly string[];
  /** Largest file fetched from a `url` (media_max_size). */
  maxDownloadBytes: number;
  /** Which hosts a `url` may reach (send_url_allow). */
  urlGuard: UrlGuard;
}

/**
 * Loads the file of a send request; every refusal is a SendError that says what to fix. A
 * download takes one of the ticket's load slots first (a decoded base64 holds one already).
 */
export async function loadMedia(request: MediaRequest, limits: SourceLimits, ticket: SendTicket): Promise<LoadedMedia> {
  const { source } = request;
  if ('file' in source) {
    const { file } = source;
    return { content: { url: file.path }, size: file.size, detected: await detect(file.path), release: () => file.remove() };
  }
  if ('path' in source) return fromPath(request.kind, source.path, limits.allowedFolders);
  await ticket.loadSlot();
  return fromUrl(request.kind, source.url, limits);
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

async function fromUrl(kind: string, url: URL, limits: SourceLimits): Promise<LoadedMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'wab-send-'));
  const file = join(dir, 'download');
  const release = () => rm(dir, { recursive: true, force: true });
  let size: number;
  try {
    size = await downloadTo(file, kind, url, { guard: limits.urlGuard, maxBytes: limits.maxDownloadBytes });
  } catch (error) {
    await release();
    throw error;
  }
  return { content: { url: file }, size, detected: await detect(file), release };
}

/** file-type is loaded on the first file sent, not at start: it is not needed at rest. */
const fileType = () => import('file-type');

async function detect(path: string): Promise<string | null> {
  const { fileTypeFromFile } = await fileType();
  return (await fileTypeFromFile(path))?.mime ?? null;
}
