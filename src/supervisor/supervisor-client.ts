import { createHttpClient, postJson, type HttpClient } from '../delivery/http-post.js';
import type { AttemptResult } from '../delivery/sender.js';
import { networkErrorWords, readBody, request } from '../http/http-request.js';

/** The Supervisor's and Home Assistant's answers are a few hundred bytes of JSON; more than this is not read. */
const ANSWER_LIMIT_BYTES = 256 * 1024;

/** An answer read whole: its status, its body as text, and as JSON (null when it is not JSON, e.g. an error page). */
export interface SupervisorAnswer {
  status: number;
  json: unknown;
  text: string;
}

/** What Home Assistant's conversation API takes; absent fields are left to Home Assistant. */
export interface ConversationRequest {
  text: string;
  language?: string;
  agent_id?: string;
  conversation_id?: string;
}

/** No answer came: the Supervisor (or Home Assistant behind it) could not be reached; `why` says how it failed. */
export class SupervisorUnreachable extends Error {
  constructor(readonly why: string) {
    super(`the Supervisor could not be reached (${why})`);
  }
}

/**
 * Home Assistant's Supervisor as the app reaches it: its own API (`/services/...`) and Home
 * Assistant's REST API through its Core proxy (`/core/api/...`), with the token it gives the app
 * (SUPERVISOR_TOKEN) as Bearer. One typed call per endpoint the app uses; the token stays in
 * here (no error or answer carries it). Header names go out as written: the proxy forwards only
 * the headers it knows, matching their names case-sensitively (X-Speech-Content).
 */
export class SupervisorClient {
  /** Keep-alive connections for the events, which come one per message. */
  private readonly events: HttpClient = createHttpClient();

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** POST /core/api/events/<type>: fires an event on Home Assistant's bus; a delivery attempt, so it never throws. */
  fireEvent(type: string, data: string, signal?: AbortSignal): Promise<AttemptResult> {
    return postJson(this.events, `${this.url}/core/api/events/${encodeURIComponent(type)}`, data, this.authorization(), signal);
  }

  /** GET /core/api/config: Home Assistant's configuration (its `language`). */
  coreConfig(signal: AbortSignal): Promise<SupervisorAnswer> {
    return this.call('GET', '/core/api/config', signal);
  }

  /** GET /core/api/stt/<entity>: the formats, rates and languages a speech-to-text engine takes. */
  sttCapabilities(entity: string, signal: AbortSignal): Promise<SupervisorAnswer> {
    return this.call('GET', `/core/api/stt/${entity}`, signal);
  }

  /** POST /core/api/stt/<entity>: the audio, described by `speechContent` (the X-Speech-Content header). */
  sttTranscribe(entity: string, speechContent: string, audio: Buffer, signal: AbortSignal): Promise<SupervisorAnswer> {
    const headers = { 'X-Speech-Content': speechContent, 'Content-Type': 'application/octet-stream' };
    return this.call('POST', `/core/api/stt/${entity}`, signal, headers, audio);
  }

  /** POST /core/api/conversation/process: one text for Assist (`{text, language, agent_id, conversation_id}`, all but `text` optional). */
  conversationProcess(body: ConversationRequest, signal: AbortSignal): Promise<SupervisorAnswer> {
    const headers = { 'Content-Type': 'application/json' };
    return this.call('POST', '/core/api/conversation/process', signal, headers, Buffer.from(JSON.stringify(body)));
  }

  /** GET /services/mqtt: the broker an app registered there (the Mosquitto app), with the credentials it made for this app. */
  mqttService(signal: AbortSignal): Promise<SupervisorAnswer> {
    return this.call('GET', '/services/mqtt', signal);
  }

  private authorization(): Record<string, string> {
    return { Authorization: `Bearer ${this.token}` };
  }

  /**
   * One request on its own connection (a few per voice note or start: no pool to keep). An abort
   * stays an AbortError (the caller knows whose deadline it was); a failed connection is
   * SupervisorUnreachable; an answer past ANSWER_LIMIT_BYTES rejects with BodyTooLarge.
   */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<SupervisorAnswer> {
    try {
      const response = await request(new URL(`${this.url}${path}`), {
        method,
        signal,
        headers: { Accept: 'application/json', ...this.authorization(), ...headers },
        body,
      });
      const text = (await readBody(response, ANSWER_LIMIT_BYTES)).toString('utf8');
      return { status: response.statusCode ?? 0, json: parseJson(text), text };
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.name === 'AbortError' || !e.code) throw error;
      throw new SupervisorUnreachable(networkErrorWords(error));
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
