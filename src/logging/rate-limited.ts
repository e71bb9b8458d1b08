import type { Logger } from './logger.js';

const WINDOW_MS = 60_000;

/**
 * One warning per key (e.g. a client address) per minute: the first is logged at once, the rest
 * are counted and reported with the next one after the minute, so a flood cannot fill the log.
 */
export class RateLimitedWarning {
  private readonly windows = new Map<string, { since: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, message: string): void {
    const now = this.now();
    const window = this.windows.get(key);
    if (window && now - window.since < WINDOW_MS) {
      window.suppressed++;
      return;
    }
    const more = window?.suppressed ? ` (${window.suppressed} more like it in the last minute)` : '';
    this.windows.set(key, { since: now, suppressed: 0 });
    if (this.windows.size > 1000) this.windows.delete(this.windows.keys().next().value!); // bounded under a scan of many addresses
    this.logger.warn(`${message}${more}`);
  }
}
