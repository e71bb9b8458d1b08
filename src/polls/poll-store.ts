import type { Db } from '../state/database.js';

/** A poll as kept in the state file: what reading its votes needs. */
export interface StoredPoll {
  /** The poll message's id. */
  id: string;
  chat: string;
  question: string;
  /** Option names, in the poll's order. */
  options: string[];
  /** messageContextInfo.messageSecret of the poll message. */
  secret: Uint8Array;
  /** The creator's user JIDs (phone and/or LID, no device): which one a vote was made for is not said. */
  creatorJids: string[];
  createdAt: number;
}

interface PollRecord {
  id: string;
  chat: string;
  question: string;
  options: string;
  secret: Buffer;
  creator_jids: string;
  created_at: number;
}

/** The `polls` table (pruned by StatePruner). */
export class PollStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      insert: db.prepare<[string, string, string, string, Uint8Array, string, number]>(
        'INSERT OR IGNORE INTO polls (id, chat, question, options, secret, creator_jids, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byId: db.prepare<[string], PollRecord>('SELECT * FROM polls WHERE id = ?'),
    };
  }

  /** Keeps the first copy: the bridge's own record of a poll it sent beats the echo Baileys emits. */
  remember(poll: StoredPoll): void {
    this.statements.insert.run(poll.id, poll.chat, poll.question, JSON.stringify(poll.options), poll.secret, JSON.stringify(poll.creatorJids), poll.createdAt);
  }

  find(id: string): StoredPoll | undefined {
    const row = this.statements.byId.get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      chat: row.chat,
      question: row.question,
      options: JSON.parse(row.options) as string[],
      secret: new Uint8Array(row.secret),
      creatorJids: JSON.parse(row.creator_jids) as string[],
      createdAt: row.created_at,
    };
  }
}
