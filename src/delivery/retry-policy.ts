/** What happened to one attempt, and what to do about it. */
export type Outcome =
  | { kind: 'delivered' }
  /** Try again later; `retryAfterMs` when the receiver said when (Retry-After). */
  | { kind: 'retry'; retryAfterMs: number | null }
  /** Never try this payload again (the receiver will not accept it). */
  | { kind: 'dead' }
  /** 410 Gone: this payload is dead and the endpoint is paused. */
  | { kind: 'gone' };

/**
 * Status rules of the Standard Webhooks spec: 2xx delivered; 408, 429, 5xx, 3xx and network
 * errors are retried; any other 4xx means the payload will never be accepted; 410 also means
 * "stop sending to this endpoint".
 */
export function classify(status: number | null, retryAfterHeader?: string | null, now = Date.now()): Outcome {
  if (status === null) return { kind: 'retry', retryAfterMs: null };
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'dead' };
  return { kind: 'retry', retryAfterMs: parseRetryAfter(retryAfterHeader, now) };
}

/** How long to keep retrying one message before it is dead. */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;
/** A Retry-After longer than this is treated as this (a receiver cannot park us for days). */
const MAX_RETRY_AFTER_MS = 3600 * 1000;

/**
 * Fast at first (a Home Assistant restart takes a minute or two), then spacing out; after the
 * table, every 10 to 30 minutes until GIVE_UP_AFTER_MS. Each delay gets +-20% jitter so many
 * queued chats do not hit a recovering receiver in lockstep.
 */
const SCHEDULE_MS = [1_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000];

export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const base = failures <= SCHEDULE_MS.length ? SCHEDULE_MS[Math.max(failures, 1) - 1]! : 600_000 + random() * 1_200_000;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** When to try again, or null when the message has been failing for too long and is dead. */
export function nextAttemptAt(createdAt: number, failures: number, retryAfterMs: number | null, now: number, random?: () => number): number | null {
  const delay = retryAfterMs !== null ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : retryDelayMs(failures, random);
  const at = now + delay;
  return at - createdAt > GIVE_UP_AFTER_MS ? null : at;
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
