/** Thrown when the queue already holds its maximum: the caller answers 429. */
export class QueueFullError extends Error {}

/**
 * Runs sends one at a time with at least `intervalMs` between the starts of two sends, so the
 * account does not look like a spammer to WhatsApp. Bounded: past `capacity` waiting sends,
 * `push` refuses instead of queueing without end.
 */
export class SendQueue {
  private readonly waiting: Array<() => void> = [];
  private busy = false;
  private lastStart = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly capacity: number,
  ) {}

  get length(): number {
    return this.waiting.length;
  }

  push<T>(send: () => Promise<T>): Promise<T> {
    if (this.waiting.length >= this.capacity) throw new QueueFullError(`${this.capacity} messages are already waiting to be sent`);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        send().then(resolve, reject).finally(() => {
          this.busy = false;
          this.next();
        });
      });
      this.next();
    });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private next(): void {
    if (this.busy || this.timer || this.waiting.length === 0) return;
    const wait = this.lastStart + this.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.next();
      }, wait);
      return;
    }
    this.busy = true;
    this.lastStart = Date.now();
    this.waiting.shift()!();
  }
}
