import type { WAMessage } from '@whiskeysockets/baileys';
import type { DestinationName } from '../bus-events.js';
import type { ForwardedMessage } from '../payload/message-payload.js';
import { toPlainJson } from '../payload/raw-json.js';
import type { Db } from '../state/database.js';

/** One download still to do. */
export interface MediaJob {
  chat: string;
  messageId: string;
  /** The message's key and media part, as Baileys' download wants them. */
  source: WAMessage;
  message: ForwardedMessage;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** The destinations the message went to with `media.pending` (they get a `media` event at the end); null while its rows are held. */
  releasedTo: DestinationName[] | null;
}

interface JobRecord {
  chat: string;
  message_id: string;
  source: string;
  message: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  released_to: string | null;
}

/** The durable list of downloads: written in the intake's transaction, removed when a job ends. */
export class MediaJobs {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      insert: db.prepare<[string, string, string, string, number, number]>(
        'INSERT OR IGNORE INTO media_jobs (chat, message_id, source, message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      all: db.prepare<[], JobRecord>('SELECT * FROM media_jobs ORDER BY created_at'),
      retry: db.prepare<[number, number, string, string]>('UPDATE media_jobs SET attempts = ?, next_attempt_at = ? WHERE chat = ? AND message_id = ?'),
      released: db.prepare<[string, string, string]>('UPDATE media_jobs SET released_to = ? WHERE chat = ? AND message_id = ?'),
      remove: db.prepare<[string, string]>('DELETE FROM media_jobs WHERE chat = ? AND message_id = ?'),
    };
  }

  add(job: { chat: string; messageId: string; source: WAMessage; message: ForwardedMessage }, now: number): void {
    this.statements.insert.run(job.chat, job.messageId, JSON.stringify(toPlainJson(job.source)), JSON.stringify(job.message), now, now);
  }

  all(): MediaJob[] {
    return this.statements.all.all().map((r) => ({
      chat: r.chat,
      messageId: r.message_id,
      source: sourceFrom(r.source),
      message: JSON.parse(r.message) as ForwardedMessage,
      createdAt: r.created_at,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      releasedTo: r.released_to === null ? null : (JSON.parse(r.released_to) as DestinationName[]),
    }));
  }

  scheduleRetry(job: MediaJob, attempts: number, at: number): void {
    this.statements.retry.run(attempts, at, job.chat, job.messageId);
  }

  /** The message went without its file to these destinations (inside the transaction that released its rows). */
  markReleased(job: MediaJob, destinations: readonly DestinationName[]): void {
    this.statements.released.run(JSON.stringify(destinations), job.chat, job.messageId);
  }

  remove(job: MediaJob): void {
    this.statements.remove.run(job.chat, job.messageId);
  }
}

/** The byte fields of a media part that Baileys needs as bytes (the plain JSON holds them as base64). */
const BYTE_FIELDS = ['mediaKey', 'fileSha256', 'fileEncSha256'] as const;

function sourceFrom(text: string): WAMessage {
  const source = JSON.parse(text) as { message: Record<string, Record<string, unknown>> };
  for (const content of Object.values(source.message)) {
    for (const field of BYTE_FIELDS) if (typeof content[field] === 'string') content[field] = Buffer.from(content[field], 'base64');
  }
  return source as unknown as WAMessage;
}
