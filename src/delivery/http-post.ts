import type { IncomingMessage } from 'node:http';
import { connectionPool, networkErrorWords, request, type ConnectionPool } from '../http/http-request.js';
import type { AttemptResult } from './sender.js';

/** One deadline for connecting, sending and the answer's status line and headers. */
const REQUEST_DEADLINE_MS = 10_000;
/** Of the answer's body at most this much is read (and only for this long), then the connection is dropped. */
const BODY_READ_BYTES = 64 * 1024;
const BODY_READ_MS = 1_000;

/** The keep-alive connections and the deadline shared by every delivery to one destination. */
export interface HttpClient {
  readonly deadlineMs: number;
  readonly pool: ConnectionPool;
}

export function createHttpClient(deadlineMs = REQUEST_DEADLINE_MS): HttpClient {
  return { deadlineMs, pool: connectionPool() };
}

/**
 * POSTs a JSON body; never throws: a network error or the deadline comes back as `status: null`.
 * No redirects (a 3xx counts as a failure). The outcome is decided by the status line: a
 * receiver that answers 2xx and then trickles or floods its body has taken the message, and
 * cannot hold the delivery slot.
 */
export async function postJson(client: HttpClient, url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<AttemptResult> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(client.deadlineMs);
  try {
    const response = await request(new URL(url), {
      method: 'POST',
      pool: client.pool,
      signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
      headers: { Accept: 'application/json, text/plain, */*', 'Content-Type': 'application/json', ...headers },
      body,
    });
    await readLittle(response);
    const status = response.statusCode ?? 0;
    const retryAfter = response.headers['retry-after'];
    return {
      status,
      error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
      durationMs: Math.round(performance.now() - started),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    };
  } catch (error) {
    return { status: null, error: describeNetworkError(error, deadline), durationMs: Math.round(performance.now() - started), retryAfter: null };
  }
}

/** Reads a short body to its end (so the connection can be reused); a long or slow one is cut off. */
function readLittle(stream: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const cutOff = () => {
      stream.destroy();
      done();
    };
    const timer = setTimeout(cutOff, BODY_READ_MS);
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > BODY_READ_BYTES) cutOff();
    });
    stream.once('end', done);
    stream.on('error', done);
    stream.once('close', done);
  });
}

function describeNetworkError(error: unknown, deadline: AbortSignal): string {
  const e = error as NodeJS.ErrnoException;
  if (e.name === 'AbortError') return deadline.aborted ? 'timed out' : 'cut off: the app was stopping';
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return 'timed out';
  return networkErrorWords(error);
}
