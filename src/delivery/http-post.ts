import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { USER_AGENT } from '../version.js';
import type { AttemptResult } from './sender.js';

/** One deadline for connecting, sending and the answer's status line and headers. */
const REQUEST_DEADLINE_MS = 10_000;
/** Of the answer's body at most this much is read (and only for this long), then the connection is dropped. */
const BODY_READ_BYTES = 64 * 1024;
const BODY_READ_MS = 1_000;

/**
 * A keep-alive HTTP client shared by every delivery to one destination. Node's own `http`, not
 * axios: a POST needs nothing more, and axios (with form-data, its MIME table and its proxy
 * agents) costs about 5 MB of resident memory at rest (docs/performance.md, "Idle memory").
 */
export interface HttpClient {
  readonly deadlineMs: number;
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
}

export function createHttpClient(deadlineMs = REQUEST_DEADLINE_MS): HttpClient {
  return {
    deadlineMs,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
  };
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
    const response = await post(client, new URL(url), body, headers, signal ? AbortSignal.any([deadline, signal]) : deadline);
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

/** Resolves with the answer once its status line and headers are in. */
function post(client: HttpClient, url: URL, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      agent: https ? client.httpsAgent : client.httpAgent,
      signal,
      headers: {
        'User-Agent': USER_AGENT,
        Accept: 'application/json, text/plain, */*',
        'Content-Type': 'application/json',
        ...headers,
        'Content-Length': Buffer.byteLength(body),
      },
    });
    request.once('response', resolve);
    // `on`, not `once`: an abort after an error must not end the process as an unhandled 'error'.
    request.on('error', reject);
    request.end(body);
  });
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
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
  if (e.code === 'ECONNRESET') return 'connection reset';
  return e.code ?? e.message ?? String(error);
}
