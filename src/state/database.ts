import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isCorruption } from './corruption.js';
import { useSmallPages, WAL_CHECKPOINT_PAGES } from './page-size.js';
import { MIGRATIONS } from './migrations.js';
import { createPrivateFile, PRIVATE_FOLDER_MODE, tightenStateFiles } from './private-files.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'whatsapp-bridge.db';

/** Marks the file as this app's (`PRAGMA application_id`), so someone else's database is never adopted. */
const APPLICATION_ID = 0x57414252; // "WABR"
/** Tables of a 0.1.x file, written before the application id existed. */
const LEGACY_TABLES = ['auth_creds', 'auth_keys', 'seen_messages', 'outbox'];

/** A state file the app must not use as it is; `kind` says why, `message` what to do. */
export class StateFileError extends Error {
  constructor(
    readonly kind: 'damaged' | 'newer' | 'foreign' | 'readonly',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opens (creating if needed) the app's single state file in `dataDir`: auth keys, outbox,
 * delivery log. WAL keeps readers off the writer's back; synchronous=NORMAL makes a commit
 * durable against a crash of the process (kill -9) without an fsync per transaction. A file that
 * is damaged, from a newer version, someone else's or not writable is refused with a
 * StateFileError (state-file.ts decides what happens then).
 */
export function openDatabase(dataDir: string): Db {
  const path = join(dataDir, DATABASE_FILE);
  let db: Db | null = null;
  try {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    // Looked at read-only first: a file the app refuses is left exactly as it was.
    if (existsSync(path)) inspect(path);
    else createPrivateFile(path);
    db = new Database(path);
    useSmallPages(db);
    db.pragma('journal_mode = WAL');
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if ((db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
    migrate(db);
    // A write now, so a read-only file or folder shows at start, not at the first message.
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)").run(String(Date.now()));
    tightenStateFiles(dataDir, DATABASE_FILE);
    return db;
  } catch (error) {
    db?.close();
    throw asStateFileError(error);
  }
}

/** Refuses a damaged file, someone else's, or one from a newer version; a new or 0.1.x file of ours passes. */
function inspect(path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    const result = db.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new StateFileError('damaged', `The integrity check failed (${String(result).slice(0, 80)})`);
    checkOwner(db);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new StateFileError(
        'newer',
        `The state file was written by a newer version of this app (schema ${version}, this version knows ${MIGRATIONS.length})`,
      );
    }
  } finally {
    db.close();
  }
}

function checkOwner(db: Db): void {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map(
    (t) => t.name,
  );
  const version = db.pragma('user_version', { simple: true }) as number;
  const fresh = id === 0 && version === 0 && tables.length === 0;
  const legacy = id === 0 && version >= 1 && LEGACY_TABLES.every((t) => tables.includes(t));
  if (!fresh && !legacy) {
    throw new StateFileError(
      'foreign',
      `The file ${DATABASE_FILE} in the data folder is not this app's state file (it holds ${tables.length ? `the tables ${tables.slice(0, 5).join(', ')}` : 'no tables of ours'}); the app leaves it untouched`,
    );
  }
}

function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let step = applied; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step]!);
      db.pragma(`user_version = ${step + 1}`);
    })();
  }
}

function asStateFileError(error: unknown): Error {
  if (error instanceof StateFileError) return error;
  const e = error as NodeJS.ErrnoException;
  if (isCorruption(e)) return new StateFileError('damaged', e.message);
  if (e.code?.startsWith('SQLITE_READONLY') || e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM' || e.code === 'SQLITE_CANTOPEN') {
    return new StateFileError('readonly', `The state file ${DATABASE_FILE} or its folder cannot be written (${e.message.slice(0, 80)})`);
  }
  return e;
}
