import type { WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';
import { SendRefused } from './send-queue.js';

/** How long "typing…" shows before a message: a random time in this range, in ms. */
const TYPING_MS = { min: 1000, max: 3000 };
/** A phone stops showing "typing…" after about 25 s without news: a longer wait renews it. */
const TYPING_RENEW_MS = 10_000;

/**
 * "typing…" in the one chat, for 1 to 3 s before a message, then `paused`: what a person's phone
 * shows, and the advice every unofficial client gives against bans (DOCS.md, "Sending without a
 * ban"). Baileys sends these as `<chatstate>` to that chat, never an account-wide presence, so
 * the account does not look online.
 */
export class Typing {
  private readonly stopping = new AbortController();

  constructor(
    private readonly enabled: boolean,
    private readonly logger: Logger,
  ) {}

  /** Runs `send` after the typing time (when enabled); `paused` follows whatever the send did. */
  async before<T>(socket: WASocket, chat: string, send: () => Promise<T>): Promise<T> {
    if (!this.enabled) return send();
    await socket.sendPresenceUpdate('composing', chat);
    try {
      await this.wait(TYPING_MS.min + Math.round(Math.random() * (TYPING_MS.max - TYPING_MS.min)));
      return await send();
    } finally {
      await socket.sendPresenceUpdate('paused', chat).catch((error: Error) => this.logger.debug(`Could not send 'paused' to ${chat}: ${error.message}`));
    }
  }

  /**
   * "typing…" in the chat while `work` runs (Assist's agent thinking), renewed while it lasts,
   * then `paused` whatever `work` did. Presence that cannot be sent never holds `work` up.
   */
  async during<T>(socket: WASocket, chat: string, work: () => Promise<T>): Promise<T> {
    if (!this.enabled) return work();
    const composing = () =>
      socket.sendPresenceUpdate('composing', chat).catch((error: Error) => this.logger.debug(`Could not send 'composing' to ${chat}: ${error.message}`));
    await composing();
    const renew = setInterval(() => void composing(), TYPING_RENEW_MS);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await socket.sendPresenceUpdate('paused', chat).catch((error: Error) => this.logger.debug(`Could not send 'paused' to ${chat}: ${error.message}`));
    }
  }

  /** Ends a typing time under way: its send is refused (the app is stopping). */
  stop(): void {
    this.stopping.abort();
  }

  private wait(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new SendRefused('stopping', 'the app is stopping'));
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', abort);
        resolve();
      }, ms);
      const abort = () => {
        clearTimeout(timer);
        reject(new SendRefused('stopping', 'the app is stopping'));
      };
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}
