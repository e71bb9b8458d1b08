import type { Part } from '../lifecycle.js';
import type { Db } from '../state/database.js';
import type { AttemptOutcome, DeliveryAttempt, DestinationName } from '../bus-events.js';

/** How many attempts the log keeps; older ones are dropped as new ones come. */
const DELIVERY_LOG_SIZE = 200;
/** At most this long may successful attempts and the delivered counts wait in memory for their write. */
const FLUSH_AFTER_MS = 10 * 60_000;

/**
 * The last attempts, for the page, and how many messages each destination delivered. Kept in
 * memory and written to the state file in batches, not one write per attempt (an SD card wears
 * with every page): a failure is written at once (with whatever waited), successes and counts
 * within FLUSH_AFTER_MS and at stop. A hard kill forgets at most those minutes of successes
 * from the page's list and counters; no message depends on them (the outbox has its own rows).
 */
export class DeliveryLog implements Part {
  private readonly statements;
  /** Newest last. */
  private ring: DeliveryAttempt[] = [];
  private unsaved: DeliveryAttempt[] = [];
  private readonly delivered = new Map<DestinationName, number>();
  private countsUnsaved = false;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare<[string, number, string, string, number, number | null, string | null, number, string]>(
        'INSERT INTO delivery_log (destination, at, message_id, chat, attempt, status, error, duration_ms, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      prune: db.prepare<[number]>('DELETE FROM delivery_log WHERE seq <= (SELECT MAX(seq) FROM delivery_log) - ?'),
      recent: db.prepare<[number], LogRecord>('SELECT * FROM delivery_log ORDER BY seq DESC LIMIT ?'),
      counts: db.prepare<[], { destination: DestinationName; delivered: number }>('SELECT destination, delivered FROM delivery_counters'),
      saveCount: db.prepare<[string, number]>(
        'INSERT INTO delivery_counters (destination, delivered) VALUES (?, ?) ON CONFLICT (destination) DO UPDATE SET delivered = excluded.delivered',
      ),
    };
  }

  async start(): Promise<void> {
    this.ring = this.statements.recent.all(DELIVERY_LOG_SIZE).map(toAttempt).reverse();
    for (const { destination, delivered } of this.statements.counts.all()) this.delivered.set(destination, delivered);
  }

  async stop(): Promise<void> {
    try {
      this.flush();
    } catch {
      // A full disk, or a damaged file being set aside: the page loses the last minutes of its
      // list and counts, nothing else (the outbox rows are written on their own).
    }
  }

  record(a: DeliveryAttempt): void {
    this.ring.push(a);
    if (this.ring.length > DELIVERY_LOG_SIZE) this.ring.splice(0, this.ring.length - DELIVERY_LOG_SIZE);
    this.unsaved.push(a);
    if (a.outcome === 'delivered') this.scheduleFlush();
    else this.flush();
  }

  /** One more message delivered to `destination` (test sends do not count). */
  countDelivered(destination: DestinationName): void {
    this.delivered.set(destination, (this.delivered.get(destination) ?? 0) + 1);
    this.countsUnsaved = true;
    this.scheduleFlush();
  }

  deliveredCount(destination: DestinationName): number {
    return this.delivered.get(destination) ?? 0;
  }

  /** The latest attempts, newest first: of every destination, or of one. */
  recent(limit = 50, destination?: DestinationName): DeliveryAttempt[] {
    const newestFirst = [...this.ring].reverse();
    return (destination ? newestFirst.filter((a) => a.destination === destination) : newestFirst).slice(0, limit);
  }

  /** Writes what waits in memory, in one transaction. A failed write keeps it waiting for the next. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.unsaved.length === 0 && !this.countsUnsaved) return;
    this.db.transaction(() => {
      for (const a of this.unsaved.slice(-DELIVERY_LOG_SIZE)) {
        this.statements.insert.run(a.destination, a.at, a.messageId, a.chat, a.attempt, a.status, a.error, a.durationMs, a.outcome);
      }
      this.statements.prune.run(DELIVERY_LOG_SIZE);
      if (this.countsUnsaved) for (const [destination, count] of this.delivered) this.statements.saveCount.run(destination, count);
    })();
    this.unsaved = [];
    this.countsUnsaved = false;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      try {
        this.flush();
      } catch {
        // A full disk: the next failure or the stop writes it.
      }
    }, FLUSH_AFTER_MS);
    this.flushTimer.unref();
  }
}

interface LogRecord {
  destination: DestinationName;
  at: number;
  message_id: string;
  chat: string;
  attempt: number;
  status: number | null;
  error: string | null;
  duration_ms: number;
  outcome: AttemptOutcome;
}

function toAttempt(r: LogRecord): DeliveryAttempt {
  return {
    destination: r.destination,
    at: r.at,
    messageId: r.message_id,
    chat: r.chat,
    attempt: r.attempt,
    status: r.status,
    error: r.error,
    durationMs: r.duration_ms,
    outcome: r.outcome,
  };
}
