import type { Bus } from '../bus.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import { reportIfCorruption } from './corruption.js';
import type { Db } from './database.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * How long a message's id is remembered to drop WhatsApp's repeats. WhatsApp keeps an
 * undelivered message for at most 30 days, so nothing older can come again; 45 leaves room.
 */
export const SEEN_FOR_DAYS = 45;
/** How long a dead delivery stays on the page's "Retry dead deliveries". */
export const DEAD_FOR_DAYS = 30;
/** How long a poll is kept to read its votes; few people vote on a poll months old. */
export const POLLS_FOR_DAYS = 90;

/**
 * Keeps the state file bounded: once at start and then daily, forgets message ids past the
 * repeat horizon (received and sent), dead deliveries nobody re-queued and polls past their voting time. (Delivered
 * rows leave at once; the delivery log trims itself; media files have their own retention.)
 */
export class StatePruner implements Part {
  private timer: NodeJS.Timeout | null = null;
  private readonly statements;

  constructor(
    db: Db,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** Where a damaged file is reported (bridge-runner.ts sets it aside). */
    private readonly bus: Bus | null = null,
  ) {
    this.statements = {
      seen: db.prepare<[number]>('DELETE FROM seen_messages WHERE seen_at < ?'),
      dead: db.prepare<[number]>('DELETE FROM outbox WHERE dead = 1 AND created_at < ?'),
      polls: db.prepare<[number]>('DELETE FROM polls WHERE created_at < ?'),
      sent: db.prepare<[number]>('DELETE FROM sent_messages WHERE sent_at < ?'),
    };
  }

  async start(): Promise<void> {
    this.prune();
    this.timer = setInterval(() => this.prune(), DAY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Returns how many rows went. */
  prune(): { seen: number; dead: number; polls: number } {
    const now = this.now();
    try {
      const seen = this.statements.seen.run(now - SEEN_FOR_DAYS * DAY_MS).changes;
      const dead = this.statements.dead.run(now - DEAD_FOR_DAYS * DAY_MS).changes;
      const polls = this.statements.polls.run(now - POLLS_FOR_DAYS * DAY_MS).changes;
      // Past the repeat horizon no receipt or echo of a sent message comes any more either.
      this.statements.sent.run(now - SEEN_FOR_DAYS * DAY_MS);
      if (dead > 0) this.logger.info(`Removed ${dead} dead deliveries older than ${DEAD_FOR_DAYS} days.`);
      return { seen, dead, polls };
    } catch (error) {
      if (!reportIfCorruption(this.bus, error, 'pruning old entries')) {
        this.logger.warn(`Pruning the state file failed (${(error as Error).message}); it is tried again tomorrow.`);
      }
      return { seen: 0, dead: 0, polls: 0 };
    }
  }
}
