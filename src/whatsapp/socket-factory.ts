import { NodeCache } from '@cacheable/node-cache';
import makeWASocket, {
  Browsers,
  isJidNewsletter,
  isJidStatusBroadcast,
  makeCacheableSignalKeyStore,
  type CacheStore,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';
import type { SqliteAuthState } from '../state/auth-state.js';
import type { BaileysLogger } from './decryption-failures.js';

/** How the linked device is named on the phone (Linked devices), and in the passkey step. */
export const BROWSER = Browsers.ubuntu('WhatsApp Bridge');

export interface SocketFactoryDeps {
  auth: SqliteAuthState;
  /** The Baileys logger as configured (the key store's cache logs through it). */
  baileysLogger: Logger;
  /** The same, counting decryption failures (decryption-failures.ts): what the socket logs through. */
  baileysLog: BaileysLogger;
  /** WhatsApp's server by default; the simulator's ws:// URL in tests and the demo. */
  waWebSocketUrl?: string;
  keepAliveIntervalMs?: number;
}

/**
 * Makes each Baileys socket with the bridge's options. What must outlive one socket lives here,
 * so a reconnect does not reset it.
 */
export class SocketFactory {
  /** Baileys' retry counts, across sockets. */
  private readonly retryCounterCache = new NodeCache({ stdTTL: 600, useClones: false });

  constructor(private readonly deps: SocketFactoryDeps) {}

  make(): WASocket {
    const { auth } = this.deps;
    return makeWASocket({
      // Keys are read far more often than written: a cache in front of SQLite (writes go through).
      auth: { creds: auth.state.creds, keys: makeCacheableSignalKeyStore(auth.state.keys, this.deps.baileysLogger) },
      logger: this.deps.baileysLog as Logger,
      browser: BROWSER,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
      shouldIgnoreJid: (jid) => Boolean(isJidStatusBroadcast(jid) || isJidNewsletter(jid)),
      msgRetryCounterCache: this.retryCounterCache as CacheStore,
      // Baileys waits 250 ms after each retry receipt while holding its one message queue: 200
      // undecryptable messages held every chat for 52 s (5,000: about 21 minutes). WhatsApp Web does not wait.
      retryRequestDelayMs: 0,
      ...(this.deps.waWebSocketUrl ? { waWebSocketUrl: this.deps.waWebSocketUrl } : {}),
      ...(this.deps.keepAliveIntervalMs ? { keepAliveIntervalMs: this.deps.keepAliveIntervalMs } : {}),
    });
  }
}
