import { readFile } from 'node:fs/promises';
import type { VoiceOptions } from '../config/voice-options.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { MediaKind } from '../media/media-info.js';
import type { MediaPayload } from '../payload/message-payload.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import { decodeOggOpus, type OpusRate } from './opus-pcm.js';
import { chooseDelivery, matchLanguage, oggOpusInfo, speechContentHeader, unsupportedReason } from './speech-format.js';
import { SttFailure, supervisorSttClient, type SttClient } from './stt-client.js';

/** What a voice note's payload gets: the text heard, or why there is none. */
export interface Transcript {
  transcript: string | null;
  error: string | null;
}

/** What the media downloader needs of speech-to-text. */
export interface MediaTranscriber {
  /** The last failure, for the page. */
  readonly lastError: string | null;
  /** Whether a saved file of this kind is transcribed. */
  wants(media: MediaPayload, kind: MediaKind): boolean;
  /** Never throws and never takes longer than the timeout. */
  transcribe(file: string, media: MediaPayload, messageId: string): Promise<Transcript>;
}

/** At most this many voice notes are read, decoded and sent at once (a burst must not decode 50 files side by side). */
const CONCURRENCY = 2;
const STOPPING = new Error('the app is stopping');

/** The transcriber for the options, or undefined when `voice_to_text` is off or no Supervisor is there. */
export function voiceTranscriber(options: VoiceOptions, supervisor: SupervisorClient | null, logger: Logger): Transcriber | undefined {
  if (!options.entity || !supervisor) return undefined;
  return new Transcriber(options.entity, options, supervisorSttClient(supervisor), logger);
}

/**
 * Turns a saved voice note into text through Home Assistant's speech-to-text entity: asks the
 * engine what it takes, sends the Ogg Opus file as it is when it takes that, else decoded to
 * PCM; in the configured language or Home Assistant's own, matched to one the engine lists.
 * Every failure becomes `error` and one log line: a voice note is never held past the timeout,
 * nor lost.
 */
export class Transcriber implements MediaTranscriber, Part {
  private lastErrorText: string | null = null;
  /** Home Assistant's language, asked once per start (forgotten when asking failed). */
  private coreLanguage: Promise<string> | null = null;
  private readonly slots = new Slots(CONCURRENCY);
  private readonly underWay = new Set<AbortController>();

  constructor(
    private readonly entity: string,
    private readonly options: VoiceOptions,
    private readonly client: SttClient,
    private readonly logger: Logger,
  ) {}

  get lastError(): string | null {
    return this.lastErrorText;
  }

  wants(media: MediaPayload, kind: MediaKind): boolean {
    return kind === 'audio' && (media.voice || this.options.allAudio);
  }

  async transcribe(file: string, media: MediaPayload, messageId: string): Promise<Transcript> {
    // The clock runs from the save: time waiting for a slot counts, as the chat waits meanwhile.
    // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('deadline')), this.options.timeoutMs);
    const deadline = controller.signal;
    this.underWay.add(controller);
    try {
      const text = await untilAborted(
        this.slots.run(() => this.attempt(file, media, deadline), deadline),
        deadline,
      );
      return { transcript: text, error: null };
    } catch (error) {
      if (deadline.reason === STOPPING) return { transcript: null, error: 'the app stopped first' }; // not forwarded: the job runs again
      const message = deadline.aborted
        ? `speech-to-text took longer than ${Math.round(this.options.timeoutMs / 1000)} s`
        : error instanceof SttFailure
          ? error.message
          : `speech-to-text failed: ${(error as Error).message}`;
      this.lastErrorText = message;
      this.logger.warn(`Voice note ${messageId} is forwarded without a transcript: ${message}.`);
      return { transcript: null, error: message };
    } finally {
      clearTimeout(timer);
      this.underWay.delete(controller);
    }
  }

  async start(): Promise<void> {}

  /** The app is stopping (after the media downloader let them finish a while): transcriptions under way end now, their jobs run again at the next start. */
  async stop(): Promise<void> {
    for (const controller of this.underWay) controller.abort(STOPPING);
  }

  private async attempt(file: string, media: MediaPayload, signal: AbortSignal): Promise<string> {
    const audio = await readFile(file, { signal });
    const info = oggOpusInfo(audio);
    if (!info) throw new SttFailure(`only Ogg Opus audio can be transcribed, not ${media.mimetype ?? 'this file'}`);
    const [engine, wanted] = await Promise.all([this.client.capabilities(this.entity, signal), this.language(signal)]);
    const language = matchLanguage(wanted, engine.languages);
    if (!language)
      throw new SttFailure(`${this.entity} does not support language ${wanted} (set 'voice_language' to one of ${engine.languages.slice(0, 6).join(', ')})`);
    const delivery = chooseDelivery(engine, info, language);
    if (!delivery) throw new SttFailure(`${this.entity}: ${unsupportedReason(engine)}`);
    const body = delivery.as === 'ogg' ? audio : (await decodeOggOpus(audio, delivery.metadata.sampleRate as OpusRate, signal)).pcm;
    return this.client.transcribe(this.entity, speechContentHeader(delivery.metadata), body, signal);
  }

  /** `voice_language`, else Home Assistant's configured language. */
  private language(signal: AbortSignal): Promise<string> {
    if (this.options.language) return Promise.resolve(this.options.language);
    const pending = (this.coreLanguage ??= this.client.coreLanguage(signal).then((language) => {
      if (language) return language;
      throw new SttFailure("Home Assistant's configuration names no language: set 'voice_language'");
    }));
    return pending.catch((error: unknown) => {
      if (this.coreLanguage === pending) this.coreLanguage = null;
      throw error;
    });
  }
}

/** Rejects when `signal` aborts, whatever `work` is waiting for. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => {}); // a late failure after the deadline is not an unhandled rejection
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** A counting semaphore; a waiter whose signal aborts leaves the queue. */
class Slots {
  private readonly queue: Array<() => void> = [];

  constructor(private free: number) {}

  async run<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.free > 0) this.free--;
    else await this.wait(signal);
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    }
  }

  private wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(turn);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal.reason as Error);
      };
      const turn = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal.aborted) return reject(signal.reason as Error);
      this.queue.push(turn);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
