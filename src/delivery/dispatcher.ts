import type { Bus } from '../bus.js';
import type { Logger } from '../logging/logger.js';
import { reportIfCorruption } from '../state/corruption.js';
import type { AttemptOutcome, DestinationName } from '../bus-events.js';
import type { DeliveryLog } from './delivery-log.js';
import { HELD, type ChatHead, type Outbox, type OutboxRow } from './outbox.js';
import { classify, nextAttemptAt, type Outcome } from './retry-policy.js';
import type { AttemptResult, DeliverySender } from './sender.js';

export interface DispatcherDeps {
  name: DestinationName;
  outbox: Outbox;
  sender: DeliverySender;
  log: DeliveryLog;
  bus: Bus;
  logger: Logger;
  /** How many chats deliver at the same time. */
  concurrency?: number;
  now?: () => number;
}

const DEFAULT_CONCURRENCY = 4;
/** How long a chat waits after the state file failed to record its attempt. */
const OWN_FAILURE_PAUSE_MS = 5_000;

/**
 * Drains one destination's outbox. Each chat delivers one message at a time in the order
 * WhatsApp delivered them; up to `concurrency` chats proceed in parallel, the chat with the
 * oldest waiting message first, so one slow or failing chat cannot stall the others. Only the
 * head of each chat is held in memory; the queue itself stays on disk.
 */
export class Dispatcher {
  private readonly heads = new Map<string, ChatHead>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private pausedReason: string | null = null;
  /** Cuts off the attempts under way when `stop` runs out of time. */
  private abort = new AbortController();
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(private readonly deps: DispatcherDeps) {
    this.concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
    this.now = deps.now ?? Date.now;
  }

  /** Why delivery is paused (a 410 from the receiver), or null. */
  get paused(): string | null {
    return this.pausedReason;
  }

  start(): void {
    this.running = true;
    this.abort = new AbortController();
    for (const head of this.deps.outbox.heads(this.deps.name)) this.heads.set(head.chat, head);
    this.pump();
  }

  /** New rows were committed for these chats. */
  wake(chats: Iterable<string>): void {
    // A held head is read again too: it may have been released (its media file is saved).
    for (const chat of chats) if (!this.inFlight.has(chat) && (this.heads.get(chat)?.nextAttemptAt ?? HELD) === HELD) this.refreshHead(chat);
    this.pump();
  }

  /** The endpoint is back (the broker reconnected): chats waiting for a retry try now. */
  retryNow(): void {
    const now = this.now();
    for (const head of this.heads.values()) if (head.nextAttemptAt !== HELD && head.nextAttemptAt > now) head.nextAttemptAt = now;
    this.pump();
  }

  /** Dead rows were re-queued: reload every head and resume a paused endpoint. */
  reload(): void {
    this.pausedReason = null;
    this.heads.clear();
    for (const head of this.deps.outbox.heads(this.deps.name)) if (!this.inFlight.has(head.chat)) this.heads.set(head.chat, head);
    this.pump();
  }

  /**
   * Stops starting attempts and waits for the ones under way; past `deadlineMs` they are cut off
   * (and stay queued), so the state file is never closed under an attempt that still records.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const cutOff = setTimeout(() => this.abort.abort(), deadlineMs);
    await Promise.all(this.inFlight.values());
    clearTimeout(cutOff);
  }

  private pump(): void {
    if (!this.running || this.pausedReason) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();
    while (this.inFlight.size < this.concurrency) {
      const next = this.oldestReadyHead(now);
      if (!next) break;
      this.heads.delete(next.chat);
      this.inFlight.set(next.chat, this.attempt(next.seq, next.chat));
    }
    let earliest = Infinity;
    for (const head of this.heads.values()) if (head.nextAttemptAt !== HELD) earliest = Math.min(earliest, head.nextAttemptAt);
    if (earliest !== Infinity && this.inFlight.size < this.concurrency) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, earliest - now));
    }
  }

  private oldestReadyHead(now: number): ChatHead | null {
    let best: ChatHead | null = null;
    for (const head of this.heads.values()) {
      if (head.nextAttemptAt <= now && (!best || head.seq < best.seq)) best = head;
    }
    return best;
  }

  private async attempt(seq: number, chat: string): Promise<void> {
    let ownFailure = false;
    try {
      const row = this.deps.outbox.get(seq);
      if (row) await this.deliver(row);
    } catch (error) {
      // A failure of our own (the state file, e.g. a full disk), not the receiver's: the row stays
      // and its chat waits a little, so a failing disk does not turn into a loop of requests.
      ownFailure = true;
      // A damaged file is reported instead (bridge-runner.ts sets it aside and starts again).
      if (!reportIfCorruption(this.deps.bus, error, `recording a delivery to the ${this.deps.name}`)) {
        this.deps.logger.warn(
          `A delivery to the ${this.deps.name} could not be recorded (${(error as Error).message}); it is tried again in ${OWN_FAILURE_PAUSE_MS / 1000} s.`,
        );
      }
    }
    this.inFlight.delete(chat);
    if (this.running) {
      try {
        this.refreshHead(chat);
      } catch (error) {
        ownFailure = true;
        reportIfCorruption(this.deps.bus, error, `reading the ${this.deps.name}'s queue`);
      }
      const head = this.heads.get(chat);
      if (ownFailure && head) head.nextAttemptAt = Math.max(head.nextAttemptAt, this.now() + OWN_FAILURE_PAUSE_MS);
    }
    this.pump();
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const { sender, name: destination } = this.deps;
    const result = await sender.send(row, this.abort.signal);
    const now = this.now();
    const outcome = classify(result.status, result.retryAfter, now);
    // The row's new state and its log entry commit together: one transaction per attempt.
    const entry = this.deps.outbox.inTransaction(() => {
      const recorded = this.settle(row, outcome, result, now);
      const attempt = {
        destination,
        at: now,
        messageId: row.messageId,
        chat: row.chat,
        attempt: row.attempts + 1,
        status: result.status,
        error: result.error,
        durationMs: result.durationMs,
        outcome: recorded,
      };
      this.deps.log.record(attempt);
      return attempt;
    });
    if (entry.outcome === 'delivered' && row.attempts > 0) this.retryWaitingChatsNow(now);
    this.deps.bus.emit('delivery', entry);
  }

  /**
   * A retry just succeeded: the receiver is back (e.g. Home Assistant finished restarting), so the
   * other chats stop waiting for their own, possibly minutes-away, retry times.
   */
  private retryWaitingChatsNow(now: number): void {
    for (const head of this.heads.values()) if (head.nextAttemptAt !== HELD) head.nextAttemptAt = Math.min(head.nextAttemptAt, now);
  }

  /** Applies an attempt's outcome to its row; returns what the delivery log records. */
  private settle(row: OutboxRow, outcome: Outcome, result: AttemptResult, now: number): AttemptOutcome {
    const { outbox, sender, name: destination } = this.deps;
    const attempt = row.attempts + 1;
    let recorded: AttemptOutcome;
    switch (outcome.kind) {
      case 'delivered':
        outbox.markDelivered(row);
        this.deps.log.countDelivered(destination);
        recorded = 'delivered';
        break;
      case 'retry': {
        const at = nextAttemptAt(row.createdAt, attempt, outcome.retryAfterMs, now);
        if (at === null) {
          outbox.markDead(row, attempt);
          recorded = 'dead';
          this.deps.logger.error(`Gave up on message ${row.messageId} to the ${destination} after ${attempt} attempts over 3 days (${result.error}).`);
        } else {
          outbox.scheduleRetry(row, attempt, at);
          recorded = 'retrying';
          if (attempt === 1 || attempt % 10 === 0) {
            this.deps.logger.warn(
              `The ${destination} at ${sender.target} failed (${result.error}); message ${row.messageId} stays queued and is retried in ${Math.round((at - now) / 1000)} s.`,
            );
          }
        }
        break;
      }
      case 'dead':
        outbox.markDead(row, attempt);
        recorded = 'dead';
        this.deps.logger.error(
          `The ${destination} at ${sender.target} rejected message ${row.messageId} with HTTP ${result.status}; it will not be retried (re-queue it from the page once the receiver is fixed).`,
        );
        break;
      case 'gone':
        outbox.markDead(row, attempt);
        recorded = 'paused';
        this.pausedReason = `${sender.target} answered 410 Gone`;
        this.deps.logger.error(
          `The ${destination} at ${sender.target} answered 410 Gone: delivery is paused until the app restarts or dead deliveries are re-queued.`,
        );
        break;
    }
    return recorded;
  }

  private refreshHead(chat: string): void {
    const head = this.deps.outbox.headOfChat(this.deps.name, chat);
    if (head) this.heads.set(chat, head);
    else this.heads.delete(chat);
  }
}
