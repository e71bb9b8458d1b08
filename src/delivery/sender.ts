/** One HTTP attempt, as the dispatcher sees it. */
export interface AttemptResult {
  /** HTTP status, or null when no answer came (refused, timed out, reset). */
  status: number | null;
  /** Why there was no answer, or a short note about a bad one. */
  error: string | null;
  durationMs: number;
  /** The Retry-After header, when the receiver sent one. */
  retryAfter: string | null;
}

export interface Delivery {
  deliveryId: string;
  body: string;
}

/** Sends one queued body to one destination. */
export interface DeliverySender {
  /** Never throws; `signal` cuts the attempt off (the app is stopping). */
  send(delivery: Delivery, signal?: AbortSignal): Promise<AttemptResult>;
  /** Where it sends, for the page and the log: host only, never a token. */
  readonly target: string;
}
