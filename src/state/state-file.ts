import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Part } from '../lifecycle.js';
import { DATABASE_FILE, openDatabase, StateFileError, type Db } from './database.js';

/**
 * The app's one state file as a part: opened (and migrated) first at start, closed last at stop.
 * A damaged file is set aside (renamed, with its -wal and -shm) and a fresh one started, so the
 * app never stops at a file the user cannot reach; `notice` then says what happened. A file from
 * a newer version, someone else's, or one that cannot be written is left as it is: `start`
 * throws its StateFileError and the controller serves only the page, which explains it. (A file
 * SQLite finds damaged while the app runs is set aside the same way by bridge-runner.ts.)
 */
export class StateFile implements Part {
  private handle: Db | null = null;
  private setAsideAs: string | null = null;

  constructor(private readonly dataDir: string) {}

  get db(): Db {
    if (!this.handle) throw new Error('The state file is not open.');
    return this.handle;
  }

  /** What happened to a damaged file at this start, for the log and the page; null when nothing did. */
  get notice(): string | null {
    return this.setAsideAs ? damagedNotice(this.setAsideAs) : null;
  }

  async start(): Promise<void> {
    try {
      this.handle = openDatabase(this.dataDir);
    } catch (error) {
      if (!(error instanceof StateFileError) || error.kind !== 'damaged') throw error;
      this.setAsideAs = setAsideDamaged(this.dataDir);
      this.handle = openDatabase(this.dataDir);
    }
  }

  async stop(): Promise<void> {
    this.handle?.close();
    this.handle = null;
  }
}

/** The name a damaged state file is set aside as: `<name>.damaged-<UTC time>`. */
export function damagedName(at = new Date()): string {
  return `${DATABASE_FILE}.damaged-${at.toISOString().replace(/[:.]/g, '-')}`;
}

/** Renames the (closed) state file and its companions to `aside[-wal|-shm]`; returns `aside`. */
export function setAsideDamaged(dataDir: string, aside = damagedName()): string {
  for (const suffix of ['', '-wal', '-shm']) {
    const from = join(dataDir, DATABASE_FILE + suffix);
    if (existsSync(from)) renameSync(from, join(dataDir, aside + suffix));
  }
  return aside;
}

/** What the log and the page say once a damaged file was set aside and a new one started. */
export function damagedNotice(aside: string): string {
  return `The state file was damaged and was set aside as ${aside} (kept for inspection); the app started with a new one: link WhatsApp again.`;
}
