import axios, { type AxiosInstance } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { USER_AGENT } from '../version.js';
import type { AttemptResult } from './sender.js';

/** One deadline for connecting, sending and the answer's status line and headers. */
const REQUEST_DEADLINE_MS = 10_000;
/** Of the answer's body at most this much is read (and only for this long), then the connection is dropped. */
const BODY_READ_BYTES = 64 * 1024;
const BODY_READ_MS = 1_000;

/**
 * A keep-alive HTTP client shared by every delivery to one destination: no redirects (a 3xx
 * counts as a failure), every status returned rather than thrown, the answer read as a stream.
 */
export function createHttpClient(deadlineMs = REQUEST_DEADLINE_MS): AxiosInstance {
  return axios.create({
    timeout: deadlineMs,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'stream',
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
    headers: { 'User-Agent': USER_AGENT },
  });
}

/**
 * POSTs a JSON body; never throws: a network error or the deadline comes back as `status: null`.
 * The outcome is decided by the status line: a receiver that answers 2xx and then trickles or
 * floods its body has taken the message, and cannot hold the delivery slot.
 */
export async function postJson(
  client: AxiosInstance,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(client.defaults.timeout || REQUEST_DEADLINE_MS);
  try {
    const response = await client.post(url, body, {
      headers: { 'Content-Type': 'application/json', ...headers },
      signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
    });
    await readLittle(response.data as Readable);
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.status,
      error: response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`,
      durationMs: Math.round(performance.now() - started),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    };
  } catch (error) {
    return { status: null, error: describeNetworkError(error, deadline), durationMs: Math.round(performance.now() - started), retryAfter: null };
  }
}

/** Reads a short body to its end (so the connection can be reused); a long or slow one is cut off. */
function readLittle(stream: Readable): Promise<void> {
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
    stream.once('error', done);
    stream.once('close', done);
  });
}

function describeNetworkError(error: unknown, deadline: AbortSignal): string {
  if (axios.isAxiosError(error)) {
    if (error.code === 'ERR_CANCELED') return deadline.aborted ? 'timed out' : 'cut off: the app was stopping';
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return 'timed out';
    if (error.code === 'ECONNREFUSED') return 'connection refused';
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'host not found';
    if (error.code === 'ECONNRESET') return 'connection reset';
    return error.code ?? error.message;
  }
  return (error as Error).message ?? String(error);
}
