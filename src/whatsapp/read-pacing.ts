import type { WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';

type SocketClient = WASocket['ws'];

export interface ReadPacingLimits {
  /** Stop reading when this many received stanzas wait to be handled. */
  pauseAt: number;
  /** Read again when no more than this many wait. */
  resumeAt: number;
  /** Read again when none was handled for this long while stopped: a handler may be waiting for WhatsApp's reply. */
  stuckMs: number;
  /** After such a stall, read on for this long before stopping again. */
  holdOffMs: number;
}

export const READ_PACING: ReadPacingLimits = { pauseAt: 100, resumeAt: 25, stuckMs: 500, holdOffMs: 2000 };

/**
 * Stops reading WhatsApp's socket while many received stanzas wait in Baileys' queue (the count
 * comes from patch 9, docs/architecture.md), so a burst (an offline backlog, a decryption storm)
 * waits in the network and at WhatsApp instead of in the bridge's memory, in its order. Without
 * this a storm of 5,000 was read in its first second and held (external memory 4 -> 17 MB), and
 * malloc's heap stayed 15 MB larger after it (docs/performance.md, "Decryption storm").
 * One per socket; `stop()` when it closes.
 */
export class ReadPacing {
  private waiting = 0;
  private holdOffUntil = 0;
  /** Set while stopped: fires when nothing was handled for `stuckMs`. */
  private stuck: NodeJS.Timeout | null = null;

  constructor(
    private readonly ws: SocketClient,
    private readonly logger: Logger,
    private readonly limits: ReadPacingLimits = READ_PACING,
  ) {
    ws.on('stanzas.waiting', this.onWaiting);
  }

  stop(): void {
    this.ws.off('stanzas.waiting', this.onWaiting);
    if (this.stuck) this.resume();
  }

  private readonly onWaiting = (waiting: number): void => {
    const handled = waiting < this.waiting;
    this.waiting = waiting;
    if (this.stuck) {
      if (waiting <= this.limits.resumeAt) this.resume();
      else if (handled) this.stuck.refresh();
    } else if (waiting >= this.limits.pauseAt && Date.now() >= this.holdOffUntil) {
      this.ws.pause();
      this.logger.debug(`Reading from WhatsApp paused: ${waiting} received stanzas wait to be handled.`);
      this.stuck = setTimeout(() => this.onStuck(), this.limits.stuckMs);
    }
  };

  private onStuck(): void {
    this.logger.debug(`Reading from WhatsApp again: nothing was handled for ${this.limits.stuckMs} ms (a handler may wait for WhatsApp's reply).`);
    this.holdOffUntil = Date.now() + this.limits.holdOffMs;
    this.resume();
  }

  private resume(): void {
    clearTimeout(this.stuck!);
    this.stuck = null;
    this.ws.resume();
  }
}
