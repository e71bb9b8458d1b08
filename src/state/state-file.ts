import type { Part } from '../lifecycle.js';
import { openDatabase, type Db } from './database.js';

/** The app's one state file as a part: opened (and migrated) first at start, closed last at stop. */
export class StateFile implements Part {
  private handle: Db | null = null;

  constructor(private readonly dataDir: string) {}

  get db(): Db {
    if (!this.handle) throw new Error('The state file is not open.');
    return this.handle;
  }

  async start(): Promise<void> {
    this.handle = openDatabase(this.dataDir);
  }

  async stop(): Promise<void> {
    this.handle?.close();
    this.handle = null;
  }
}
