import type { Db } from '../state/database.js';

/** What the bridge sent: a message (text, a file, a poll, a location, a contact) or a change to one. */
export type SentKind = 'text' | 'media' | 'poll' | 'location' | 'contact' | 'reaction' | 'edit' | 'delete';

/** A message the bridge sent, as the state file keeps it (chat and kind are null for sends from before they were kept). */
export interface SentMessage {
  readonly id: string;
  readonly chat: string | null;
  readonly kind: SentKind | null;
  readonly sentAt: number;
}

/**
 * Ids of messages the bridge sent itself, kept in the state file (pruned with the seen ids): they
 * are never forwarded back as incoming, and their receipts are reported, also after a restart.
 * With each its chat and kind, so an edit, a deletion or a reaction can be checked against it.
 */
export class SentMessageIds {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      add: db.prepare<[string, number, string | null, string | null]>('INSERT OR IGNORE INTO sent_messages (id, sent_at, chat, kind) VALUES (?, ?, ?, ?)'),
      has: db.prepare<[string], { found: number }>('SELECT 1 AS found FROM sent_messages WHERE id = ?'),
      find: db.prepare<[string], { id: string; chat: string | null; kind: SentKind | null; sent_at: number }>(
        'SELECT id, chat, kind, sent_at FROM sent_messages WHERE id = ?',
      ),
    };
  }

  add(id: string, chat: string | null = null, kind: SentKind | null = null, now = Date.now()): void {
    this.statements.add.run(id, now, chat, kind);
  }

  has(id: string): boolean {
    return this.statements.has.get(id) !== undefined;
  }

  find(id: string): SentMessage | undefined {
    const row = this.statements.find.get(id);
    return row && { id: row.id, chat: row.chat, kind: row.kind, sentAt: row.sent_at };
  }
}
