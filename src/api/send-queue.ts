/** Why a send was refused before it started: the queue is full, or the app is stopping. */
export class SendRefused extends Error {
  constructor(
    readonly reason: 'full' | 'stopping',
    message: string,
  ) {
    super(message);
  }
}

interface Waiting {
  run(): void;
  refuse(error: SendRefused): void;
}

/**
 * Runs sends one at a time with at least `intervalMs` between the starts of two sends, so the
 * account does not look like a spammer to WhatsApp. Bounded: past `capacity` waiting sends,
 * `push` refuses instead of queueing without end. `stop` refuses everything still waiting.
 */
export class SendQueue {
  private readonly waiting: Waiting[] = [];
  private busy = false;
  private stopped = false;
  private lastStart = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly capacity: number,
  ) {}

  push<T>(send: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(stoppingError());
    if (this.waiting.length >= this.capacity) return Promise.reject(new SendRefused('full', `${this.capacity} messages are already waiting to be sent`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        run: () => {
          send()
            .then(resolve, reject)
            .finally(() => {
              this.busy = false;
              this.next();
            });
        },
        refuse: reject,
      });
      this.next();
    });
  }

  /** Refuses every send still waiting (a send under way finishes); later pushes are refused too. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const waiting of this.waiting.splice(0)) waiting.refuse(stoppingError());
  }

  private next(): void {
    if (this.stopped || this.busy || this.timer || this.waiting.length === 0) return;
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
    this.waiting.shift()!.run();
  }
}

function stoppingError(): SendRefused {
  return new SendRefused('stopping', 'the app is stopping');
}
