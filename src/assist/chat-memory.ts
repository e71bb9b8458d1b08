import type { VoiceTranscript } from '../bus-events.js';

const RATE_WINDOW_MS = 60_000;
const REFUSAL_LOG_EVERY_MS = 60 * 60_000;
/** Chats and message ids remembered at most (oldest dropped first), so a flood cannot grow memory. */
const CAPACITY = 1000;

/**
 * What Assist keeps per chat in memory (the conversations are in the state file,
 * conversation-store.ts): the questions of the last minute (rate limit), when a refusal was last
 * logged; and the message ids already taken (WhatsApp may deliver a message twice).
 */
export class ChatMemory {
  private readonly asked = new Map<string, { times: number[]; told: boolean }>();
  private readonly refusalsLogged = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(private readonly perMinute: number) {}

  /** True the first time a message id comes. */
  firstSight(id: string): boolean {
    if (this.seen.has(id)) return false;
    bounded(this.seen, id);
    return true;
  }

  /** `ok`: ask the agent; `resting`: over the limit, tell the person once; `silent`: told already. */
  admit(chat: string): 'ok' | 'resting' | 'silent' {
    const now = Date.now();
    const entry = this.asked.get(chat) ?? { times: [], told: false };
    entry.times = entry.times.filter((t) => now - t < RATE_WINDOW_MS);
    if (entry.times.length === 0) entry.told = false;
    setBounded(this.asked, chat, entry);
    if (entry.times.length < this.perMinute) {
      entry.times.push(now);
      entry.told = false;
      return 'ok';
    }
    if (entry.told) return 'silent';
    entry.told = true;
    return 'resting';
  }

  /** True at most once an hour per chat. */
  shouldLogRefusal(chat: string): boolean {
    const now = Date.now();
    const last = this.refusalsLogged.get(chat);
    if (last !== undefined && now - last < REFUSAL_LOG_EVERY_MS) return false;
    setBounded(this.refusalsLogged, chat, now);
    return true;
  }
}

/**
 * Voice notes that passed Assist's gate, waiting for their transcript: each wait resolves with
 * the transcript (or why there is none), or null when it did not come within `maxWaitMs` or the
 * app is stopping. A wait ends one way or the other, so nothing stays behind.
 */
export class TranscriptWaits {
  private readonly waiting = new Map<string, (heard: VoiceTranscript | null) => void>();

  constructor(private readonly maxWaitMs: number) {}

  wait(chat: string, messageId: string): Promise<VoiceTranscript | null> {
    const key = `${chat}\n${messageId}`;
    return new Promise((resolve) => {
      const done = (heard: VoiceTranscript | null) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(heard);
      };
      const timer = setTimeout(() => done(null), this.maxWaitMs);
      this.waiting.set(key, done);
    });
  }

  /** The media downloader's news (a bus listener): a voice note waited for has its transcript, or none. */
  readonly heard = (transcript: VoiceTranscript): void => {
    this.waiting.get(`${transcript.chat}\n${transcript.messageId}`)?.(transcript);
  };

  stop(): void {
    for (const done of [...this.waiting.values()]) done(null);
  }
}

function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CAPACITY) map.delete(map.keys().next().value!);
}

function bounded(set: Set<string>, value: string): void {
  set.add(value);
  if (set.size > CAPACITY) set.delete(set.values().next().value!);
}
