import axios, { type AxiosInstance } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { USER_AGENT } from '../version.js';
import type { AttemptResult } from './sender.js';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A keep-alive HTTP client shared by every delivery to one destination: no redirects (a 3xx
 * counts as a failure), every status returned rather than thrown, the response body ignored.
 */
export function createHttpClient(timeoutMs = REQUEST_TIMEOUT_MS): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: 1024 * 1024,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
    headers: { 'User-Agent': USER_AGENT },
  });
}

/** POSTs a JSON body; never throws: a network error or timeout comes back as `status: null`. */
export async function postJson(
  client: AxiosInstance,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now();
  try {
    const response = await client.post(url, body, { headers: { 'Content-Type': 'application/json', ...headers }, signal });
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.status,
      error: response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`,
      durationMs: Math.round(performance.now() - started),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    };
  } catch (error) {
    return { status: null, error: describeNetworkError(error), durationMs: Math.round(performance.now() - started), retryAfter: null };
  }
}

function describeNetworkError(error: unknown): string {
  if (axios.isAxiosError(error)) {
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return 'timed out';
    if (error.code === 'ERR_CANCELED') return 'cut off: the app was stopping';
    if (error.code === 'ECONNREFUSED') return 'connection refused';
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'host not found';
    if (error.code === 'ECONNRESET') return 'connection reset';
    return error.code ?? error.message;
  }
  return (error as Error).message ?? String(error);
}
