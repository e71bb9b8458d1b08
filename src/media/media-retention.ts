import { rm } from 'node:fs/promises';
import type { MediaOptions } from '../config/options.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { MediaFiles, SavedFile } from './media-files.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the media folder within its options: once a day files older than `media_keep_days`
 * go, and whenever a file is saved the oldest go while the total exceeds `media_max_total`.
 */
export class MediaRetention implements Part {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { files: MediaFiles; options: MediaOptions; logger: Logger; now?: () => number }) {}

  async start(): Promise<void> {
    this.schedule();
    this.timer = setInterval(() => this.schedule(), DAY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs a pass after the one under way, so two passes never remove the same files. */
  schedule(): Promise<void> {
    this.running = this.running.then(() => this.prune()).catch((error) => this.deps.logger.error(`Media retention failed: ${(error as Error).message}`));
    return this.running;
  }

  private async prune(): Promise<void> {
    const { files, options } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const expired = options.keepDays > 0 ? files.olderThan(now - options.keepDays * DAY_MS) : [];
    for (const file of expired) await this.remove(file);
    let { bytes } = files.totals();
    while (bytes > options.maxTotalBytes) {
      const oldest = files.oldest(50);
      if (oldest.length === 0) break;
      for (const file of oldest) {
        if (bytes <= options.maxTotalBytes) break;
        await this.remove(file);
        bytes -= file.size;
      }
    }
    if (expired.length > 0) this.deps.logger.info(`Removed ${expired.length} media file(s) older than ${options.keepDays} days.`);
  }

  private async remove(file: SavedFile): Promise<void> {
    await rm(file.path, { force: true });
    this.deps.files.remove(file);
  }
}
