import { BodyTooLarge } from '../http/http-request.js';
import { SupervisorUnreachable, type SupervisorAnswer, type SupervisorClient } from '../supervisor/supervisor-client.js';
import { parseCapabilities, type EngineCapabilities } from './speech-format.js';

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

/** Home Assistant's speech-to-text entities, through the Supervisor's Core proxy. */
export function supervisorSttClient(supervisor: SupervisorClient): SttClient {
  const call = (ask: () => Promise<SupervisorAnswer>) => ask().catch((error: unknown) => Promise.reject(sttError(error)));
  return {
    async coreLanguage(signal) {
      const answer = await call(() => supervisor.coreConfig(signal));
      if (answer.status !== 200) throw failure(answer, "Home Assistant's configuration");
      const language = (answer.json as { language?: unknown } | null)?.language;
      return typeof language === 'string' && language !== '' ? language : null;
    },
    async capabilities(entity, signal) {
      const answer = await call(() => supervisor.sttCapabilities(entity, signal));
      if (answer.status === 404) throw new SttFailure(`Home Assistant has no speech-to-text entity ${entity} (HTTP 404): check 'voice_to_text'`);
      if (answer.status !== 200) throw failure(answer, `the capabilities of ${entity}`);
      const capabilities = parseCapabilities(answer.json);
      if (!capabilities) throw new SttFailure(`${entity} answered its capabilities with something else than Home Assistant's lists`);
      return capabilities;
    },
    async transcribe(entity, speechContent, audio, signal) {
      const answer = await call(() => supervisor.sttTranscribe(entity, speechContent, audio, signal));
      if (answer.status === 404) throw new SttFailure(`Home Assistant has no speech-to-text entity ${entity} (HTTP 404): check 'voice_to_text'`);
      if (answer.status === 415) throw new SttFailure(`${entity} does not take "${speechContent}" (HTTP 415)`);
      if (answer.status !== 200) throw failure(answer, 'the transcription');
      const { text, result } = (answer.json ?? {}) as { text?: unknown; result?: unknown };
      if (result !== 'success') throw new SttFailure(`${entity} could not transcribe it (result: ${String(result).slice(0, 40)})`);
      return typeof text === 'string' ? text.trim() : '';
    },
  };
}

function failure(answer: SupervisorAnswer, what: string): SttFailure {
  if (answer.status === 401 || answer.status === 403) return new SttFailure(`the Supervisor refused the app's token for ${what} (HTTP ${answer.status})`);
  const restarting = answer.status === 502 || answer.status === 503 || answer.status === 504 ? '; Home Assistant may be restarting' : '';
  const detail = answer.status === 400 && answer.text ? `: ${answer.text.trim().slice(0, 120)}` : '';
  return new SttFailure(`Home Assistant answered HTTP ${answer.status} for ${what}${detail}${restarting}`);
}

/** A request that got no answer, in words; an abort stays an AbortError (the caller knows whose deadline it was). */
function sttError(error: unknown): unknown {
  if (error instanceof SupervisorUnreachable) return new SttFailure(`Home Assistant could not be reached (${error.why}); it may be restarting`);
  if (error instanceof BodyTooLarge) return new SttFailure(`Home Assistant's answer was larger than ${error.limitBytes / 1024} kB`);
  return error;
}
