import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Db = Database.Database;

export const DATABASE_FILE = 'whatsapp-bridge.db';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append new steps, never edit old ones: users' databases have already run them.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE auth_creds (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value TEXT NOT NULL
  );
  CREATE TABLE auth_keys (
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (type, id)
  ) WITHOUT ROWID;
  -- Every message ever accepted, so a message WhatsApp delivers twice is forwarded once.
  CREATE TABLE seen_messages (
    chat TEXT NOT NULL,
    id TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (chat, id)
  ) WITHOUT ROWID;
  CREATE INDEX seen_messages_seen_at ON seen_messages (seen_at);
  -- One row per (message, destination) still to deliver, or dead. A row leaves on a 2xx.
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    dead INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_chat_order ON outbox (destination, dead, chat, seq);
  CREATE TABLE delivery_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    at INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    chat TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL
  );
  -- Small facts that outlive a socket: when the device was paired, the generated API token.
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE delivery_counters (
    destination TEXT PRIMARY KEY,
    delivered INTEGER NOT NULL DEFAULT 0
  );
  `,
  // Nothing read these: an attempt's status and error are in delivery_log.
  `
  DROP INDEX seen_messages_seen_at;
  ALTER TABLE outbox DROP COLUMN last_status;
  ALTER TABLE outbox DROP COLUMN last_error;
  `,
  `
  -- Downloads still to do: a media message's outbox rows are held until its job ends.
  CREATE TABLE media_jobs (
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    -- The media part of the message as Baileys downloads it (BufferJSON).
    source TEXT NOT NULL,
    -- The forwarded message whose bodies are rebuilt once the file is saved or has failed.
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    PRIMARY KEY (chat, message_id)
  ) WITHOUT ROWID;
  -- Every saved file, for GET /api/media/<id> and retention.
  CREATE TABLE media_files (
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    path TEXT NOT NULL,
    mimetype TEXT,
    size INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,
    PRIMARY KEY (chat, message_id)
  ) WITHOUT ROWID;
  CREATE INDEX media_files_by_id ON media_files (message_id);
  CREATE INDEX media_files_saved_at ON media_files (saved_at);
  `,
];

/**
 * Opens (creating if needed) the app's single state file in `dataDir`: auth keys, outbox,
 * delivery log. WAL keeps readers off the writer's back; synchronous=NORMAL makes a commit
 * durable against a crash of the process (kill -9) without an fsync per transaction.
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new Error(
      `The state file was written by a newer version of this app (schema ${applied}); install that version again or remove ${DATABASE_FILE} and pair again.`,
    );
  }
  for (let step = applied; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step]!);
      db.pragma(`user_version = ${step + 1}`);
    })();
  }
}
