import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { networkErrorWords, request } from '../http/http-request.js';
import { SendError } from './send-error.js';
import type { UrlGuard } from './url-guard.js';

const DOWNLOAD_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

export interface DownloadLimits {
  guard: UrlGuard;
  /** Largest file fetched (media_max_size). */
  maxBytes: number;
}

/**
 * Fetches `url` into `file`: every hop (the URL and each redirect) is
 * checked by the guard and connected through its lookup; a Content-Length over the limit is
 * refused before reading, and the stream is cut at the limit. Returns the size; every failure is
 * a SendError that says what to fix.
 */
export async function downloadTo(file: string, kind: string, url: URL, limits: DownloadLimits): Promise<number> {
  const signal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const tooLarge = () => new SendError(413, `'${kind}.url' is larger than media_max_size (${Math.round(limits.maxBytes / 1024 / 1024)} MB).`);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const how = hop === 0 ? `'${kind}.url'` : `'${kind}.url' redirects to a URL that`;
      limits.guard.check(current, how);
      // A connection of its own (no pool) for each hop: its address is the one the lookup checked.
      const response = await request(current, { lookup: limits.guard.lookupFor(current, how), signal, headers: { Accept: '*/*' } });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (hop === MAX_REDIRECTS) throw new SendError(502, `Fetching '${kind}.url' from ${url.host} failed: more than ${MAX_REDIRECTS} redirects.`);
        current = redirectTarget(current, location, kind);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw new SendError(502, `Fetching '${kind}.url' failed: ${current.host} answered HTTP ${status}.`);
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        response.destroy();
        throw tooLarge();
      }
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(size > limits.maxBytes ? tooLarge() : null, chunk);
        },
      });
      await pipeline(response, limit, createWriteStream(file, { mode: 0o600 }));
      return size;
    }
  } catch (error) {
    if (error instanceof SendError) throw error;
    throw new SendError(502, `Fetching '${kind}.url' from ${current.host} failed: ${describe(error, signal)}.`);
  }
}

function redirectTarget(from: URL, location: string, kind: string): URL {
  try {
    return new URL(location, from);
  } catch {
    throw new SendError(502, `Fetching '${kind}.url' failed: ${from.host} redirects to something that is not a URL.`);
  }
}

function describe(error: unknown, signal: AbortSignal): string {
  const e = error as { code?: string; name?: string; message?: string };
  if (signal.aborted || e.name === 'TimeoutError' || e.name === 'AbortError') return `no complete answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  return networkErrorWords(error);
}
