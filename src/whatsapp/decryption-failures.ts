import { jidNormalizedUser } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';

const WINDOW_MS = 60_000;
/** Senders counted at once; past it, the rest share one line (a storm from many senders stays bounded). */
const MAX_SENDERS = 200;
const OTHERS = 'other senders';

/** The logger shape Baileys calls (its ILogger, which the package does not export). */
export interface BaileysLogger {
  level: string;
  child(bindings: Record<string, unknown>): BaileysLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** What Baileys passes with its "failed to decrypt message" (decode-wa-message.js). */
interface FailureContext {
  key?: { remoteJid?: string | null };
  err?: { message?: string };
  sender?: string;
  author?: string;
}

/**
 * Messages WhatsApp delivered that could not be decrypted ("Bad MAC", "No session"), in the app's
 * log at WARNING: the first from a sender at once, then at most one line per sender per minute
 * with the count. Baileys asks the sender for each one again (a retry receipt) by itself; after
 * a LID migration some accounts get thousands of these in minutes (Baileys #2234, #2331), and a
 * line (or a stack) per message filled the log and the heap.
 */
export class DecryptionFailureLog {
  /** Senders seen in the current minute, with the failures not logged yet. */
  private readonly window = new Map<string, { count: number; reason: string }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly logger: Logger) {}

  record(sender: string, reason: string): void {
    const key = this.window.has(sender) || this.window.size < MAX_SENDERS ? sender : OTHERS;
    const seen = this.window.get(key);
    if (seen) {
      seen.count++;
      seen.reason = reason;
      return;
    }
    this.window.set(key, { count: 0, reason });
    this.logger.warn(
      `Could not decrypt a message from ${key} (${reason}); WhatsApp was asked to send it again. More from this sender are counted for a minute.`,
    );
    this.timer ??= setInterval(() => this.flush(), WINDOW_MS).unref();
  }

  /** Reports the counts of the minute; a sender quiet for a whole minute is logged at once again. */
  flush(): void {
    for (const [sender, { count, reason }] of this.window) {
      if (count === 0) {
        this.window.delete(sender);
        continue;
      }
      this.logger.warn(
        `${count} more message${count === 1 ? '' : 's'} from ${sender} could not be decrypted in the last minute (last: ${reason}); each was asked for again.`,
      );
      this.window.set(sender, { count: 0, reason });
    }
    if (this.window.size === 0) this.stop();
  }

  /** Logs what is counted and stops the minute timer. */
  close(): void {
    this.flush();
    this.window.clear();
    this.stop();
  }

  /**
   * Baileys' logger, with its "failed to decrypt message" also counted here. Everything still
   * reaches `inner` (which shows Baileys' lines only at debug and trace).
   */
  watch(inner: BaileysLogger): BaileysLogger {
    const onError = (obj: unknown, msg?: string) => {
      if (msg === 'failed to decrypt message' && obj && typeof obj === 'object') this.onFailure(obj as FailureContext);
      inner.error(obj, msg);
    };
    return {
      get level() {
        return inner.level;
      },
      set level(level: string) {
        inner.level = level;
      },
      child: (bindings) => this.watch(inner.child(bindings)),
      trace: (obj, msg) => inner.trace(obj, msg),
      debug: (obj, msg) => inner.debug(obj, msg),
      info: (obj, msg) => inner.info(obj, msg),
      warn: (obj, msg) => inner.warn(obj, msg),
      error: onError,
    };
  }

  private onFailure(context: FailureContext): void {
    const jid = context.author || context.sender || context.key?.remoteJid || '';
    const sender = jid ? jidNormalizedUser(jid) : 'an unknown sender';
    this.record(sender, context.err?.message?.split('\n')[0]?.slice(0, 200) || 'unknown error');
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
