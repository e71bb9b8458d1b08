import { AsyncResource } from 'node:async_hooks';
import { close, fdatasync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Part } from '../lifecycle.js';
import { DATABASE_FILE } from './database.js';

/**
 * Group commit for receipts. SQLite (WAL, synchronous=NORMAL) commits without an fsync; a power
 * cut could undo commits WhatsApp already has receipts for. `durable()` resolves once everything
 * committed so far is on the disk: one fdatasync of the write-ahead log serves every commit made
 * while the previous one ran, so a burst pays a few syncs, not one per message.
 */
export class WalSync implements Part {
  private fd: number | null = null;
  /** Waiters for the sync under way, and for the one after it. */
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly dataDir: string) {}

  async start(): Promise<void> {
    // The log exists once the state file was written to in WAL mode (openDatabase writes at start).
    this.fd = openSync(join(this.dataDir, `${DATABASE_FILE}-wal`), 'r');
  }

  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.next?.catch(() => undefined);
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  /**
   * The async context the syncs run in: this part's own, not the caller's. The intake calls
   * `durable()` inside Baileys' key-store transaction, and a promise keeps the context it was made
   * in; the promise hangs on the message (`msg.durable`), which the app keeps to quote it later.
   * Made there, 1,000 kept messages held 931 transactions' copies of their senders' sessions,
   * 50 MB after a decryption storm (docs/performance.md).
   */
  private readonly scope = new AsyncResource('WalSync');

  /** Resolves when every commit made before this call is on the disk. */
  durable(): Promise<void> {
    return this.scope.runInAsyncScope(() => this.afterCommits());
  }

  private afterCommits(): Promise<void> {
    if (!this.running) return (this.running = this.sync().finally(() => (this.running = null)));
    // A sync is under way and may have started before this commit: wait for the following one.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.afterCommits();
      });
    return this.next;
  }

  private sync(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.reject(new Error('the state file is closed'));
    // fdatasync on any descriptor of the file flushes all of its written pages (Linux).
    return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }
}
