import { statfsSync } from 'node:fs';
import type { Bus } from '../bus.js';
import type { StorageProblem } from '../bus-events.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import { reportIfCorruption } from './corruption.js';
import type { Db } from './database.js';

/** How often a failing state file is tried again. */
const PROBE_EVERY_MS = 5_000;
/** A write this large must succeed before storing counts as working again (it needs new pages). */
const PROBE_BYTES = 256 * 1024;

/**
 * Notices when the state file cannot be written (a full disk, an I/O error, a read-only file).
 * Messages WhatsApp delivers meanwhile are neither stored nor acknowledged, so WhatsApp keeps
 * them; once a probe write succeeds, `resume` makes WhatsApp deliver them again (a new socket).
 */
export class StorageWatch implements Part {
  private current: StorageProblem | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Writing works again, and a new socket was asked for: storing resumes once it exists. */
  private resuming = false;
  /** SQLite found the file damaged: nothing is stored again on it (the app restarts on a new one). */
  private damaged = false;
  private readonly onConnection = (status: ConnectionStatus) => {
    // The old socket's messages are refused by the connection; the new one's are WhatsApp's redelivery, in order.
    if (!this.resuming || (status.state !== 'connecting' && status.state !== 'reconnecting' && status.state !== 'connected')) return;
    this.resuming = false;
    this.current = null;
    this.deps.logger.info('Storing works again: WhatsApp now delivers the messages it kept, in order.');
    this.deps.bus.emit('storage', null);
  };

  constructor(private readonly deps: { db: Db; dataDir: string; bus: Bus; logger: Logger; resume(): void }) {}

  get problem(): StorageProblem | null {
    return this.current;
  }

  /** False from the first failure until storing works again: later messages are not even tried, so none overtakes one WhatsApp still keeps. */
  get storing(): boolean {
    return this.current === null && !this.damaged;
  }

  async start(): Promise<void> {
    this.deps.bus.on('connection', this.onConnection);
  }

  async stop(): Promise<void> {
    this.deps.bus.off('connection', this.onConnection);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Storing failed (the intake's commit threw); logged once until storing works again. A damaged
   * file is no space or disk problem to wait out: it is reported on the bus, and bridge-runner.ts sets
   * it aside and starts the app again on a new one.
   */
  failed(error: Error): void {
    if (this.current || this.damaged) return;
    if ((this.damaged = reportIfCorruption(this.deps.bus, error, 'storing a message'))) return;
    this.current = { since: Date.now(), message: this.explain(error) };
    this.deps.logger.error(this.current.message);
    this.deps.bus.emit('storage', this.current);
    this.timer = setInterval(() => this.probe(), PROBE_EVERY_MS);
  }

  private probe(): void {
    try {
      this.deps.db.transaction(() => {
        this.deps.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('space_probe', hex(zeroblob(?)))").run(PROBE_BYTES / 2);
      })();
      this.deps.db.prepare("DELETE FROM meta WHERE key = 'space_probe'").run();
    } catch (error) {
      // Still failing: try again at the next tick, unless the file turned out damaged (then it never works again).
      if (!(this.damaged = reportIfCorruption(this.deps.bus, error, 'trying to store again'))) return;
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.damaged) return;
    this.resuming = true;
    this.deps.resume();
  }

  private explain(error: Error): string {
    const code = (error as { code?: string }).code ?? '';
    const wait = 'messages wait at WhatsApp until it is fixed, then arrive by themselves';
    if (code === 'SQLITE_FULL' || /full/i.test(error.message)) {
      return `The data folder is full (${this.freeMb()} MB free): ${wait.replace('it is fixed', 'space is back')}. Free space on the Home Assistant host (for example old backups or media).`;
    }
    if (code === 'SQLITE_READONLY') return `The state file cannot be written (read-only): ${wait}. Check the data folder's permissions or the disk's health.`;
    return `The state file cannot be written (${error.message.slice(0, 80)}): ${wait}. Check the disk of the Home Assistant host.`;
  }

  private freeMb(): string {
    try {
      const fs = statfsSync(this.deps.dataDir);
      return ((fs.bavail * fs.bsize) / 1024 / 1024).toFixed(1);
    } catch {
      return '?';
    }
  }
}
