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
 * A place among the waiting sends, taken before any work on a send (its number look-up, its
 * file), so a send past the bound costs nothing. `run` queues the send in it; `release` gives
 * the place back unused (a refused request). Either frees the place once.
 */
export interface Reservation {
  run<T>(send: () => Promise<T>): Promise<T>;
  release(): void;
}

/**
 * Runs sends one at a time with at least `intervalMs` between the starts of two sends, so the
 * account does not look like a spammer to WhatsApp. Bounded: past `capacity` sends waiting or
 * being prepared, `reserve` refuses instead of queueing without end. `stop` refuses everything
 * still waiting.
 */
export class SendQueue {
  private readonly waiting: Waiting[] = [];
  /** Places taken and not yet started (waiting, or still being prepared). */
  private reserved = 0;
  private busy = false;
  private stopped = false;
  private lastStart = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly capacity: number,
  ) {}

  /** Takes a place, or throws SendRefused when `capacity` sends are already waiting or being prepared. */
  reserve(): Reservation {
    if (this.stopped) throw stoppingError();
    if (this.reserved >= this.capacity) throw new SendRefused('full', `${this.capacity} messages are already waiting to be sent`);
    this.reserved++;
    let held = true;
    const free = () => {
      if (held) this.reserved--;
      held = false;
    };
    return {
      run: <T>(send: () => Promise<T>) => {
        if (this.stopped) {
          free();
          return Promise.reject(stoppingError());
        }
        return new Promise<T>((resolve, reject) => {
          this.waiting.push({
            run: () => {
              free();
              send()
                .then(resolve, reject)
                .finally(() => {
                  this.busy = false;
                  this.next();
                });
            },
            refuse: (error) => {
              free();
              reject(error);
            },
          });
          this.next();
        });
      },
      release: free,
    };
  }

  push<T>(send: () => Promise<T>): Promise<T> {
    try {
      return this.reserve().run(send);
    } catch (error) {
      return Promise.reject(error);
    }
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
