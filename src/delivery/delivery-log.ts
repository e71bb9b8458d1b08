import type { Db } from '../state/database.js';
import type { DestinationName } from './outbox.js';

/** `failed` is a test send that did not get a 2xx (tests are never queued). */
export type AttemptOutcome = 'delivered' | 'retrying' | 'dead' | 'paused' | 'failed';

/** One finished attempt, as the page's "recent deliveries" list shows it. */
export interface DeliveryAttempt {
  destination: DestinationName;
  at: number;
  messageId: string;
  chat: string;
  attempt: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  outcome: AttemptOutcome;
}

/** How many attempts the log keeps; older ones are dropped as new ones come. */
const DELIVERY_LOG_SIZE = 200;

/** The last attempts, kept in the state file so they survive a restart. */
export class DeliveryLog {
  private readonly insert;
  private readonly prune;
  private readonly recentRows;
  private readonly recentRowsOf;

  constructor(db: Db) {
    this.insert = db.prepare<[string, number, string, string, number, number | null, string | null, number, string]>(
      'INSERT INTO delivery_log (destination, at, message_id, chat, attempt, status, error, duration_ms, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.prune = db.prepare<[number | bigint]>('DELETE FROM delivery_log WHERE seq <= ?');
    this.recentRows = db.prepare<[number], LogRecord>('SELECT * FROM delivery_log ORDER BY seq DESC LIMIT ?');
    this.recentRowsOf = db.prepare<[string, number], LogRecord>('SELECT * FROM delivery_log WHERE destination = ? ORDER BY seq DESC LIMIT ?');
  }

  record(a: DeliveryAttempt): void {
    const { lastInsertRowid } = this.insert.run(a.destination, a.at, a.messageId, a.chat, a.attempt, a.status, a.error, a.durationMs, a.outcome);
    // Pruning every 50th insert keeps the table between 200 and 250 rows at a fiftieth of the cost.
    if (BigInt(lastInsertRowid) % 50n === 0n) this.prune.run(BigInt(lastInsertRowid) - BigInt(DELIVERY_LOG_SIZE));
  }

  /** The latest attempts, newest first: of every destination, or of one. */
  recent(limit = 50, destination?: DestinationName): DeliveryAttempt[] {
    return (destination ? this.recentRowsOf.all(destination, limit) : this.recentRows.all(limit)).map(toAttempt);
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
