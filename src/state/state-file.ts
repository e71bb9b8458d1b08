import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Part } from '../lifecycle.js';
import { DATABASE_FILE, openDatabase, StateFileError, type Db } from './database.js';

/**
 * The app's one state file as a part: opened (and migrated) first at start, closed last at stop.
 * A damaged file is set aside (renamed, with its -wal and -shm) and a fresh one started, so the
 * app never stops at a file the user cannot reach; `notice` then says what happened. A file from
 * a newer version, someone else's, or one that cannot be written is left as it is: `start`
 * throws its StateFileError and the controller serves only the page, which explains it.
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
    return this.setAsideAs
      ? `The state file was damaged and was set aside as ${this.setAsideAs} (kept for inspection); the app started with a new one: link WhatsApp again.`
      : null;
  }

  async start(): Promise<void> {
    try {
      this.handle = openDatabase(this.dataDir);
    } catch (error) {
      if (!(error instanceof StateFileError) || error.kind !== 'damaged') throw error;
      this.setAsideAs = this.setAside();
      this.handle = openDatabase(this.dataDir);
    }
  }

  async stop(): Promise<void> {
    this.handle?.close();
    this.handle = null;
  }

  /** Renames the file and its companions to `<name>.damaged-<UTC time>[-wal|-shm]`; returns the new name. */
  private setAside(): string {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${DATABASE_FILE}.damaged-${stamp}`;
    for (const suffix of ['', '-wal', '-shm']) {
      const from = join(this.dataDir, DATABASE_FILE + suffix);
      if (existsSync(from)) renameSync(from, join(this.dataDir, aside + suffix));
    }
    return aside;
  }
}
