import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { USER_AGENT } from '../version.js';

/** Keep-alive connections shared by many requests to one place (a destination's deliveries). */
export interface ConnectionPool {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

export function connectionPool(maxSockets = 16): ConnectionPool {
  return { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Sent with the names as written (the Supervisor's proxy matches them case-sensitively). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Connections from this pool; without one, a connection of its own, closed after the answer. */
  pool?: ConnectionPool;
  /** How the host name is resolved (a guarded download checks the addresses it connects to). */
  lookup?: LookupFunction;
  /** A connection that sends nothing for this long is given up. */
  idleTimeoutMs?: number;
}

/**
 * One request with Node's own http(s), the one way the app makes a request. Not `fetch`: it
 * sends header names in lower case (the Supervisor's proxy drops X-Speech-Content), cannot take
 * a `lookup` (the guarded download checks the address it connects to), and buffers each chunk
 * of a large download (docs/performance.md, "A 100 MB video"). Resolves once the answer's
 * status line and headers are in: its body is the caller's to read or drop. Redirects are not
 * followed.
 */
export function request(url: URL, options: RequestOptions = {}): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const { body, pool, idleTimeoutMs } = options;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: options.method ?? 'GET',
      agent: pool ? (https ? pool.https : pool.http) : false,
      lookup: options.lookup,
      signal: options.signal,
      headers: {
        'User-Agent': USER_AGENT,
        ...options.headers,
        ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
      },
    });
    if (idleTimeoutMs) req.setTimeout(idleTimeoutMs, () => req.destroy(new IdleTimeout(url.host, idleTimeoutMs)));
    req.once('response', resolve);
    // `on`, not `once`: a second error (an abort after a failure) must not end the process.
    req.on('error', reject);
    req.end(body);
  });
}

/** The connection sent nothing for `ms`. */
export class IdleTimeout extends Error {
  constructor(host: string, ms: number) {
    super(`no data from ${host} for ${ms / 1000} s`);
  }
}

/** The answer's body was longer than the caller reads. */
export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the answer was larger than ${limitBytes / 1024} kB`);
  }
}

/** Reads a whole (short) answer; past `limitBytes` the connection is dropped and it rejects with BodyTooLarge. */
export function readBody(response: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limitBytes) chunks.push(chunk);
      else response.destroy(new BodyTooLarge(limitBytes));
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
  });
}

/** A failed connection in words (refused, host not found, reset), else the error's code or message. */
export function networkErrorWords(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
  if (e.code === 'ECONNRESET') return 'connection reset';
  return e.code ?? e.message ?? String(error);
}
