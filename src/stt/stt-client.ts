import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { USER_AGENT } from '../version.js';
import { parseCapabilities, type EngineCapabilities } from './speech-format.js';

/** An answer is a few hundred bytes of JSON; more than this is not read. */
const ANSWER_LIMIT_BYTES = 256 * 1024;

/** Why a request to Home Assistant's speech-to-text did not give a transcript. */
export class SttFailure extends Error {}

/** Home Assistant's speech-to-text API, as the app reaches it through the Supervisor's Core proxy. */
export interface SttClient {
  /** Home Assistant's configured language (`language` of /api/config), or null when it has none. */
  coreLanguage(signal: AbortSignal): Promise<string | null>;
  capabilities(entity: string, signal: AbortSignal): Promise<EngineCapabilities>;
  /** POSTs the audio; resolves with the text heard (possibly ""), or throws SttFailure. */
  transcribe(entity: string, speechContent: string, audio: Buffer, signal: AbortSignal): Promise<string>;
}

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

/**
 * Node's own `http`, not `fetch`: the Supervisor's proxy forwards only the headers it knows,
 * matching their names case-sensitively, and `fetch` sends every name in lower case, so
 * `X-Speech-Content` would never reach Home Assistant. `http` sends names as written here.
 */
export function supervisorSttClient(supervisor: { url: string; token: string }): SttClient {
  const call = (method: 'GET' | 'POST', path: string, signal: AbortSignal, extra: Record<string, string> = {}, body?: Buffer) =>
    request(new URL(`${supervisor.url}/core/api/${path}`), method, { Authorization: `Bearer ${supervisor.token}`, ...extra }, body, signal);
  return {
    async coreLanguage(signal) {
      const answer = await call('GET', 'config', signal);
      if (answer.status !== 200) throw failure(answer, "Home Assistant's configuration");
      const language = (answer.json as { language?: unknown } | null)?.language;
      return typeof language === 'string' && language !== '' ? language : null;
    },
    async capabilities(entity, signal) {
      const answer = await call('GET', `stt/${entity}`, signal);
      if (answer.status === 404) throw new SttFailure(`Home Assistant has no speech-to-text entity ${entity} (HTTP 404): check 'voice_to_text'`);
      if (answer.status !== 200) throw failure(answer, `the capabilities of ${entity}`);
      const capabilities = parseCapabilities(answer.json);
      if (!capabilities) throw new SttFailure(`${entity} answered its capabilities with something else than Home Assistant's lists`);
      return capabilities;
    },
    async transcribe(entity, speechContent, audio, signal) {
      const headers = { 'X-Speech-Content': speechContent, 'Content-Type': 'application/octet-stream' };
      const answer = await call('POST', `stt/${entity}`, signal, headers, audio);
      if (answer.status === 404) throw new SttFailure(`Home Assistant has no speech-to-text entity ${entity} (HTTP 404): check 'voice_to_text'`);
      if (answer.status === 415) throw new SttFailure(`${entity} does not take "${speechContent}" (HTTP 415)`);
      if (answer.status !== 200) throw failure(answer, 'the transcription');
      const { text, result } = (answer.json ?? {}) as { text?: unknown; result?: unknown };
      if (result !== 'success') throw new SttFailure(`${entity} could not transcribe it (result: ${String(result).slice(0, 40)})`);
      return typeof text === 'string' ? text.trim() : '';
    },
  };
}

function failure(answer: Answer, what: string): SttFailure {
  if (answer.status === 401 || answer.status === 403) return new SttFailure(`the Supervisor refused the app's token for ${what} (HTTP ${answer.status})`);
  const restarting = answer.status === 502 || answer.status === 503 || answer.status === 504 ? '; Home Assistant may be restarting' : '';
  const detail = answer.status === 400 && answer.text ? `: ${answer.text.trim().slice(0, 120)}` : '';
  return new SttFailure(`Home Assistant answered HTTP ${answer.status} for ${what}${detail}${restarting}`);
}

/** One request on its own connection (a few per voice note: no pool to keep). */
function request(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<Answer> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, {
      method,
      agent: false,
      signal,
      headers: { 'User-Agent': USER_AGENT, Accept: 'application/json', ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
    });
    req.once('response', (response) => readAnswer(response).then(resolve, reject));
    // `on`, not `once`: an abort after an error must not end the process as an unhandled 'error'.
    req.on('error', (error) => reject(networkFailure(error)));
    req.end(body);
  });
}

function readAnswer(response: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= ANSWER_LIMIT_BYTES) chunks.push(chunk);
      else response.destroy(new SttFailure(`Home Assistant's answer was larger than ${ANSWER_LIMIT_BYTES / 1024} kB`));
    });
    response.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON (an error page): `text` says what it was
      }
      resolve({ status: response.statusCode ?? 0, json, text });
    });
    response.on('error', (error) => reject(networkFailure(error)));
  });
}

/** A network error in words; an abort stays an AbortError (the caller knows whose deadline it was). */
function networkFailure(error: unknown): Error {
  const e = error as NodeJS.ErrnoException;
  if (e.name === 'AbortError' || e instanceof SttFailure) return e;
  const why =
    e.code === 'ECONNREFUSED'
      ? 'connection refused'
      : e.code === 'ECONNRESET'
        ? 'connection reset'
        : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? 'host not found'
          : (e.code ?? e.message);
  return new SttFailure(`Home Assistant could not be reached (${why}); it may be restarting`);
}
