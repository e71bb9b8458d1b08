import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../src/state/database.js';

/** Ids of the messages the bridge in `dataDir` has committed, read from its state file. */
export function committedMessageIds(dataDir: string): string[] {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db
      .prepare<[], { id: string }>('SELECT id FROM seen_messages')
      .all()
      .map((r) => r.id);
  } finally {
    db.close();
  }
}

/**
 * Whether the bridge in `dataDir` has nothing left to deliver: no outbox row waiting (a delivered
 * row is deleted once its 2xx or PUBACK is recorded) and no file still to fetch. Until then a
 * delivery, or a second copy of one, may still come.
 */
export function nothingLeftToDeliver(dataDir: string): boolean {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const { n } = db.prepare<[], { n: number }>('SELECT (SELECT COUNT(*) FROM outbox WHERE dead = 0) + (SELECT COUNT(*) FROM media_jobs) AS n').get()!;
    return n === 0;
  } finally {
    db.close();
  }
}
