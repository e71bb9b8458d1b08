import type { Reservation } from './send-queue.js';

/**
 * At most `size` files being loaded for sending at once (downloaded from a `url` or decoded
 * from `base64`), each slot held until its file is sent or refused: so temporary files and the
 * work on them stay bounded however many requests come in. First come, first served.
 */
export class LoadSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Resolves with the function that gives the slot back (once). */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * One send request's claims on the limits: its place among the waiting sends (taken first,
 * before anything else is done for it) and, once it has a file to load, a load slot. `close`
 * gives back whatever is still held.
 */
export class SendTicket {
  private releaseSlot: (() => void) | null = null;

  constructor(
    private readonly place: Reservation,
    private readonly slots: LoadSlots,
  ) {}

  /** Waits for a load slot (once per ticket). */
  async loadSlot(): Promise<void> {
    if (!this.releaseSlot) this.releaseSlot = await this.slots.acquire();
  }

  run<T>(send: () => Promise<T>): Promise<T> {
    return this.place.run(send);
  }

  close(): void {
    this.place.release();
    this.releaseSlot?.();
    this.releaseSlot = null;
  }
}
