/** Home Assistant forgets a conversation after about 5 minutes of silence; so does the app. */
const CONVERSATION_KEPT_MS = 5 * 60_000;
const RATE_WINDOW_MS = 60_000;
const REFUSAL_LOG_EVERY_MS = 60 * 60_000;
/** Chats and message ids remembered at most (oldest dropped first), so a flood cannot grow memory. */
const CAPACITY = 1000;

interface Conversation {
  id: string | null;
  continuing: boolean;
  at: number;
}

/**
 * What Assist keeps per chat, in memory: the conversation id and whether the agent asked back,
 * the questions of the last minute (rate limit), when a refusal was last logged; and the message
 * ids already taken (WhatsApp may deliver a message twice).
 */
export class ChatMemory {
  private readonly conversations = new Map<string, Conversation>();
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

  /** The conversation id to pass on, while Home Assistant still keeps it. */
  conversation(chat: string): { conversation_id?: string } {
    const now = Date.now();
    const kept = this.conversations.get(chat);
    return kept?.id && now - kept.at < CONVERSATION_KEPT_MS ? { conversation_id: kept.id } : {};
  }

  continuing(chat: string): boolean {
    const now = Date.now();
    const kept = this.conversations.get(chat);
    return Boolean(kept?.continuing && now - kept.at < CONVERSATION_KEPT_MS);
  }

  remember(chat: string, id: string | null, continuing: boolean): void {
    const now = Date.now();
    setBounded(this.conversations, chat, { id, continuing, at: now });
  }

  forget(chat: string): void {
    this.conversations.delete(chat);
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

function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CAPACITY) map.delete(map.keys().next().value!);
}

function bounded(set: Set<string>, value: string): void {
  set.add(value);
  if (set.size > CAPACITY) set.delete(set.values().next().value!);
}
