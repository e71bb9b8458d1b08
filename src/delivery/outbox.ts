import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DestinationName } from '../bus-events.js';
import type { Db } from '../state/database.js';

export interface OutboxRow {
  seq: number;
  destination: DestinationName;
  chat: string;
  messageId: string;
  /** Stable across retries and unique per message: the `webhook-id` header. */
  deliveryId: string;
  body: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
}

export interface AcceptedMessage {
  chat: string;
  messageId: string;
  /** One body per destination the message goes to (none: only recorded as seen). */
  bodies: Partial<Record<DestinationName, string>>;
  /** Queued but not sent until `release` (its media file is still being downloaded). */
  held?: boolean;
}

/** `next_attempt_at` of a held row: later than any real time, so its chat waits behind it. */
export const HELD = 8_640_000_000_000_000;

export interface ChatHead {
  chat: string;
  seq: number;
  nextAttemptAt: number;
}

export interface OutboxCounts {
  queued: number;
  retrying: number;
  dead: number;
  oldestQueuedAt: number | null;
}

interface RowRecord {
  seq: number;
  destination: DestinationName;
  chat: string;
  message_id: string;
  delivery_id: string;
  body: StoredBody;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
}

/**
 * The durable queue. A message is committed here before anything else happens to it, and its
 * row leaves only when the receiver answered 2xx. All times are epoch milliseconds.
 */
export class Outbox {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      markSeen: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO seen_messages (chat, id, seen_at) VALUES (?, ?, ?)'),
      insert: db.prepare<[string, string, string, string, Buffer, number, number]>(
        'INSERT INTO outbox (destination, chat, message_id, delivery_id, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      heads: db.prepare<[string], { chat: string; seq: number; next_attempt_at: number }>(
        `SELECT o.chat, o.seq, o.next_attempt_at FROM outbox o
         JOIN (SELECT chat, MIN(seq) AS seq FROM outbox WHERE destination = ? AND dead = 0 GROUP BY chat) h ON h.seq = o.seq`,
      ),
      headOfChat: db.prepare<[string, string], { seq: number; next_attempt_at: number }>(
        'SELECT seq, next_attempt_at FROM outbox WHERE destination = ? AND dead = 0 AND chat = ? ORDER BY seq LIMIT 1',
      ),
      get: db.prepare<[number], RowRecord>('SELECT * FROM outbox WHERE seq = ?'),
      held: db.prepare<[string, string, number], { seq: number; destination: DestinationName; body: StoredBody }>(
        'SELECT seq, destination, body FROM outbox WHERE chat = ? AND message_id = ? AND next_attempt_at = ?',
      ),
      releaseRow: db.prepare<[Buffer, number, number]>('UPDATE outbox SET body = ?, next_attempt_at = ? WHERE seq = ?'),
      remove: db.prepare<[number]>('DELETE FROM outbox WHERE seq = ?'),
      retry: db.prepare<[number, number, number]>('UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE seq = ?'),
      dead: db.prepare<[number, number]>('UPDATE outbox SET dead = 1, attempts = ? WHERE seq = ?'),
      discard: db.prepare<[string]>('DELETE FROM outbox WHERE destination = ?'),
      requeue: db.prepare<[number, string]>('UPDATE outbox SET dead = 0, attempts = 0, next_attempt_at = ? WHERE destination = ? AND dead = 1'),
      counts: db.prepare<[number, string], { queued: number; retrying: number; dead: number; oldest: number | null }>(
        `SELECT COALESCE(SUM(dead = 0), 0) AS queued, COALESCE(SUM(dead = 0 AND attempts > 0 AND next_attempt_at > ?), 0) AS retrying,
                COALESCE(SUM(dead = 1), 0) AS dead, MIN(CASE WHEN dead = 0 THEN created_at END) AS oldest
         FROM outbox WHERE destination = ?`,
      ),
    };
  }

  /** Runs `fn` in one transaction of the state file. */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Records the messages as seen and queues their deliveries, all in one transaction. A message
   * already seen (same chat and id, e.g. WhatsApp delivering it again after a restart) is
   * skipped. Returns the chats that got new rows, per destination.
   */
  accept(messages: readonly AcceptedMessage[], now: number, onNew?: (message: AcceptedMessage) => void): Map<DestinationName, Set<string>> {
    const touched = new Map<DestinationName, Set<string>>();
    this.db.transaction(() => {
      for (const message of messages) {
        if (this.statements.markSeen.run(message.chat, message.messageId, now).changes === 0) continue;
        onNew?.(message);
        const deliveryId = deliveryIdFor(message.chat, message.messageId);
        for (const [destination, body] of Object.entries(message.bodies) as Array<[DestinationName, string]>) {
          this.statements.insert.run(destination, message.chat, message.messageId, deliveryId, pack(body), now, message.held ? HELD : now);
          if (!touched.has(destination)) touched.set(destination, new Set());
          touched.get(destination)!.add(message.chat);
        }
      }
    })();
    return touched;
  }

  /**
   * Queues one delivery that is not a WhatsApp message (e.g. a connection event): no
   * de-duplication, ordered with the other rows of its `chat` key.
   */
  enqueue(destination: DestinationName, chat: string, eventId: string, body: string, now: number): void {
    this.statements.insert.run(destination, chat, eventId, `evt_${eventId}`, pack(body), now, now);
  }

  /**
   * Queues a follow-up event of a message: the `media` event of one that went ahead of its file,
   * or Assist's answer to it. Behind everything its chat queued meanwhile, with a delivery id of
   * its own (per kind) that stays the same across retries.
   */
  enqueueFollowUp(kind: 'media' | 'assist', destination: DestinationName, chat: string, messageId: string, body: string, now: number): void {
    this.statements.insert.run(destination, chat, messageId, `${kind}_${deliveryIdFor(chat, messageId).slice('msg_'.length)}`, pack(body), now, now);
  }

  /** Gives held rows of a message their final bodies and makes them due now; returns the destinations. */
  release(chat: string, messageId: string, bodyFor: (destination: DestinationName, body: string) => string, now: number): DestinationName[] {
    const released: DestinationName[] = [];
    for (const row of this.statements.held.all(chat, messageId, HELD)) {
      this.statements.releaseRow.run(pack(bodyFor(row.destination, unpack(row.body))), now, row.seq);
      released.push(row.destination);
    }
    return released;
  }

  /** The oldest live row of every chat: what each chat delivers next. */
  heads(destination: DestinationName): ChatHead[] {
    return this.statements.heads.all(destination).map((r) => ({ chat: r.chat, seq: r.seq, nextAttemptAt: r.next_attempt_at }));
  }

  headOfChat(destination: DestinationName, chat: string): ChatHead | null {
    const row = this.statements.headOfChat.get(destination, chat);
    return row ? { chat, seq: row.seq, nextAttemptAt: row.next_attempt_at } : null;
  }

  get(seq: number): OutboxRow | null {
    const row = this.statements.get.get(seq);
    return row ? toRow(row) : null;
  }

  markDelivered(row: OutboxRow): void {
    this.statements.remove.run(row.seq);
  }

  /** The attempt's status and error are in the delivery log; the row keeps only what drives the next attempt. */
  scheduleRetry(row: OutboxRow, attempts: number, nextAttemptAt: number): void {
    this.statements.retry.run(attempts, nextAttemptAt, row.seq);
  }

  markDead(row: OutboxRow, attempts: number): void {
    this.statements.dead.run(attempts, row.seq);
  }

  /** Puts every dead row of a destination back in the queue; returns how many. */
  requeueDead(destination: DestinationName, now: number): number {
    return this.statements.requeue.run(now, destination).changes;
  }

  /** Drops every row of a destination that is gone for good (MQTT turned off, or no broker); returns how many. */
  discard(destination: DestinationName): number {
    return this.statements.discard.run(destination).changes;
  }

  counts(destination: DestinationName, now: number): OutboxCounts {
    const c = this.statements.counts.get(now, destination)!;
    return { queued: c.queued, retrying: c.retrying, dead: c.dead, oldestQueuedAt: c.oldest };
  }
}

/** A body as stored: deflated (BLOB), or the JSON text rows of 0.2 and earlier hold. */
type StoredBody = Buffer | string;

/**
 * Bodies are stored deflated: a text message's body (mostly its `raw`) shrinks to about half, so
 * several share a 1 KB page instead of each taking a page and an overflow page; in a burst that
 * halves the pages taken from and given back to the free list (docs/performance.md).
 */
function pack(body: string): Buffer {
  return deflateRawSync(body);
}

function unpack(stored: StoredBody): string {
  return typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8');
}

/** Derived from the message, so even a message accepted twice carries the same id. */
function deliveryIdFor(chat: string, messageId: string): string {
  return `msg_${createHash('sha256').update(`${chat}\n${messageId}`).digest('base64url').slice(0, 26)}`;
}

function toRow(r: RowRecord): OutboxRow {
  return {
    seq: r.seq,
    destination: r.destination,
    chat: r.chat,
    messageId: r.message_id,
    deliveryId: r.delivery_id,
    body: unpack(r.body),
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
  };
}
