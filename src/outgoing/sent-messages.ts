import type { Db } from '../state/database.js';

/**
 * Ids of messages the bridge sent itself, kept in the state file (pruned with the seen ids): they
 * are never forwarded back as incoming, and their receipts are reported, also after a restart.
 */
export class SentMessageIds {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      add: db.prepare<[string, number]>('INSERT OR IGNORE INTO sent_messages (id, sent_at) VALUES (?, ?)'),
      has: db.prepare<[string], { found: number }>('SELECT 1 AS found FROM sent_messages WHERE id = ?'),
    };
  }

  add(id: string, now = Date.now()): void {
    this.statements.add.run(id, now);
  }

  has(id: string): boolean {
    return this.statements.has.get(id) !== undefined;
  }
}
