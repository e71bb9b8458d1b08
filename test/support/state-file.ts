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
