import { EventEmitter } from 'node:events';
import type { ConnectionState as BaileysConnectionUpdate, WASocket } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { SqliteAuthState } from '../state/auth-state.js';
import { BaileysQrTimer } from './baileys-qr-timer.js';
import { DecryptionFailureLog } from './decryption-failures.js';
import { INITIAL_STATUS, type Account, type ConnectionStatus, type PasskeyStatus } from './connection-status.js';
import { actionFor, haltMessage, reconnectDelayMs, UNLINKED_ON_PAGE } from './disconnect-policy.js';
import { relayInbound, type InboundEvents } from './inbound.js';
import { ReadPacing } from './read-pacing.js';
import { accountOf, logQrDrawing } from './linking-helpers.js';
import { PasskeyError, PasskeyStep } from './passkey-step.js';
import { BROWSER, SocketFactory } from './socket-factory.js';

export interface ConnectionDeps {
  auth: SqliteAuthState;
  bus: Bus;
  logger: Logger;
  baileysLogger: Logger;
  /** WhatsApp's server by default; the simulator's ws:// URL in tests and the demo. */
  waWebSocketUrl?: string;
  keepAliveIntervalMs?: number;
  random?: () => number;
}

/** WhatsApp shows the first QR for 60 s, every later one for 20 s. */
const FIRST_QR_MS = 60_000;
const NEXT_QR_MS = 20_000;

/**
 * Owns the one Baileys socket: opens it, follows its connection updates, and decides after
 * each close whether to reconnect now, back off, re-pair or stop (disconnect-policy.ts).
 * A new socket is made for every reconnect, and a socket that is no longer current is ignored.
 */
export class WhatsAppConnection implements Part {
  /** What the current socket receives (intake and status events listen; they are wired before the connection starts). */
  readonly inbound = new EventEmitter<InboundEvents>();
  private socket: WASocket | null = null;
  private current: ConnectionStatus = INITIAL_STATUS;
  private stopping = false;
  /** The socket is being replaced on purpose (`renew`): connect again at once, logging this. */
  private renewing: string | null = null;
  /** The passkey step of the current unpaired socket (null once paired). */
  private passkeyStep: PasskeyStep | null = null;
  /** The page asked to unlink: the 401 that follows is no removal by the phone. */
  private unlinking = false;
  private failures = 0;
  private qrsThisSocket = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed: Promise<void> = Promise.resolve();
  private readonly decryptionFailures: DecryptionFailureLog;
  /** Each socket with the bridge's Baileys options (socket-factory.ts). */
  private readonly sockets: SocketFactory;

  constructor(private readonly deps: ConnectionDeps) {
    this.decryptionFailures = new DecryptionFailureLog(deps.logger);
    this.sockets = new SocketFactory({
      auth: deps.auth,
      baileysLogger: deps.baileysLogger,
      // Baileys' logger, counting its decryption failures into one line per sender per minute.
      baileysLog: this.decryptionFailures.watch(deps.baileysLogger),
      waWebSocketUrl: deps.waWebSocketUrl,
      keepAliveIntervalMs: deps.keepAliveIntervalMs,
    });
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  /** The open socket, or null while (re)connecting. */
  get openSocket(): WASocket | null {
    return this.current.state === 'connected' ? this.socket : null;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.connect();
  }

  /** Reconnect now, e.g. after a 440 once the user stopped the other client. */
  reconnect(): void {
    if (this.socket || this.stopping) return;
    this.clearReconnectTimer();
    this.connect();
  }

  /**
   * Closes the socket and opens a new one at once (same pairing), so WhatsApp delivers again what
   * it still holds for this device, e.g. messages that could not be stored while the disk was full.
   */
  renew(reason = 'Reconnecting to WhatsApp so it delivers the messages it kept.'): void {
    if (this.stopping) return;
    if (!this.socket) return this.reconnect();
    this.renewing = reason;
    this.socket.end(undefined);
  }

  /** Takes the assertion the user pasted on the page to WhatsApp (passkey-step.ts). */
  submitPasskey(pasted: unknown): Promise<void> {
    if (!this.passkeyStep || this.current.state !== 'passkey') return Promise.reject(new PasskeyError(409, 'WhatsApp is not asking for a passkey right now.'));
    return this.passkeyStep.submit(pasted);
  }

  /** "Cancel" and "Try again" on the page: ends the passkey step and starts linking over with new QR codes. */
  restartLinking(): void {
    if (this.current.state !== 'passkey') throw new PasskeyError(409, 'There is no passkey step to cancel or retry.');
    const cancelled = this.passkeyStep?.cancel() ?? false;
    this.renew(`${cancelled ? 'Passkey step cancelled on the page; l' : 'L'}inking starts over with a new QR code.`);
  }

  /**
   * Emits whatever Baileys still buffers (so those messages reach the outbox), then closes the
   * socket without logging out: the pairing stays valid for the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearReconnectTimer();
    const socket = this.socket;
    if (socket) {
      // Messages Baileys still buffers reach the intake now; a failure to store them is handled there.
      socket.ev.flush();
      socket.end(undefined);
      await this.closed;
    }
    this.decryptionFailures.close();
    this.update({ state: 'stopped', qr: null, qrExpiresAt: null, pairingCode: null, nextReconnectAt: null, passkey: null });
  }

  /** Unlinks this device (as "Log out" on the phone would); a fresh QR follows. */
  async logout(): Promise<void> {
    const socket = this.socket;
    if (!socket) {
      this.deps.auth.wipe();
      this.reconnect();
      return;
    }
    this.unlinking = true;
    try {
      await socket.logout('Unlinked from the WhatsApp Bridge page');
    } catch (error) {
      this.unlinking = false;
      throw error;
    }
  }

  /** Starts linking by phone number instead of QR; returns the 8-character code to type on the phone. */
  async requestPairingCode(phoneDigits: string): Promise<string> {
    if (!this.socket || this.current.state !== 'qr') {
      throw new Error('A pairing code can be requested only while the bridge is waiting to be linked.');
    }
    const code = await this.socket.requestPairingCode(phoneDigits);
    this.update({ pairingCode: code });
    this.deps.logger.info(`Pairing code for +${phoneDigits}: ${code}. On the phone: Linked devices > Link a device > Link with phone number instead.`);
    return code;
  }

  private connect(): void {
    const { auth, logger } = this.deps;
    if (!auth.isPaired() && auth.state.creds.me) auth.wipe(); // a pairing that was started but never finished
    this.qrsThisSocket = 0;
    this.update({ state: this.current.state === 'reconnecting' ? 'reconnecting' : 'connecting', nextReconnectAt: null, passkey: null });
    logger.debug(auth.isPaired() ? 'Connecting to WhatsApp with the saved pairing.' : 'Connecting to WhatsApp to get a QR code.');
    // Unpaired, WhatsApp may ask for a passkey, which needs Baileys' QR timer stopped (baileys-qr-timer.ts).
    const qrTimer = auth.isPaired() ? null : new BaileysQrTimer();
    const make = () => this.sockets.make();
    const socket = qrTimer ? qrTimer.watch(make) : make();
    this.socket = socket;
    this.passkeyStep = qrTimer && this.passkeyStepFor(socket, qrTimer);
    let markClosed!: () => void;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    socket.ev.on('creds.update', () => {
      auth.saveCreds();
      // The push name arrives after the connection opened.
      const account = this.account();
      if (this.current.state === 'connected' && account?.name !== this.current.account?.name) this.update({ account });
    });
    relayInbound(socket, this.inbound, () => socket === this.socket);
    const pacing = new ReadPacing(socket.ws, this.deps.logger);
    socket.ev.on('connection.update', (update) => {
      if (update.connection === 'close') pacing.stop();
      if (socket !== this.socket) return;
      this.onUpdate(update);
      if (update.connection === 'open' || update.connection === 'close') qrTimer?.release();
      if (update.connection === 'close') {
        this.socket = null;
        markClosed();
        this.onClose(update.lastDisconnect?.error);
      }
    });
  }

  private passkeyStepFor(socket: WASocket, qrTimer: BaileysQrTimer): PasskeyStep {
    return new PasskeyStep({
      socket,
      browser: BROWSER,
      logger: this.deps.logger,
      saveCreds: () => this.deps.auth.saveCreds(),
      stopQrRotation: () => qrTimer.stop(),
      onChange: (passkey: PasskeyStatus) => this.update({ state: 'passkey', passkey, qr: null, qrExpiresAt: null, pairingCode: null }),
      // The socket is closed; the page shows why and offers "Try again" (restartLinking).
      onFailed: () => socket === this.socket && socket.end(undefined),
    });
  }

  private onUpdate(update: Partial<BaileysConnectionUpdate>): void {
    if (update.isNewLogin) this.deps.auth.markPaired(Date.now());
    if (update.qr) this.onQr(update.qr);
    if (update.connection === 'open') {
      this.failures = 0;
      const account = this.account();
      this.update({
        state: 'connected',
        qr: null,
        qrExpiresAt: null,
        pairingCode: null,
        passkey: null,
        account,
        connectedSince: Date.now(),
        relinkReason: null,
      });
      this.deps.logger.info(`Connected to WhatsApp as +${account?.phone ?? '?'}${account?.name ? ` (${account.name})` : ''}.`);
    }
  }

  private onQr(qr: string): void {
    // Once WhatsApp asked for a passkey, the QR codes are over for this socket.
    if (this.passkeyStep?.status) return;
    const validFor = this.qrsThisSocket++ === 0 ? FIRST_QR_MS : NEXT_QR_MS;
    this.update({ state: 'qr', qr, qrExpiresAt: Date.now() + validFor, account: null });
    logQrDrawing(qr, this.deps.logger);
  }

  private onClose(error: Error | undefined): void {
    if (this.stopping) return;
    if (this.renewing) {
      this.deps.logger.info(this.renewing);
      this.renewing = null;
      this.connect();
      return;
    }
    const code = (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    // A passkey step that ended waits on the page for "Try again"; one under way ends here.
    const step = this.passkeyStep;
    if (step?.failed) return;
    if (step?.active) {
      const where = step.status?.phase === 'confirming' ? 'The phone did not confirm the link' : 'WhatsApp closed the connection during the passkey step';
      step.fail(`${where}${code ? ` (${code})` : ''}.`);
      return;
    }
    const action = actionFor(code);
    const lastDisconnect = { code: code ?? null, reason: action.reason, at: Date.now() };
    const { logger, auth } = this.deps;
    switch (action.kind) {
      case 'restart':
        logger.info(`WhatsApp asked for a restart (${action.reason}); reconnecting.`);
        this.update({ lastDisconnect });
        this.connect();
        return;
      case 'repair': {
        // One new socket for a QR code: the old pairing is never tried again (no login loop).
        const reason = code === 401 && this.unlinking ? UNLINKED_ON_PAGE : action.reason;
        this.unlinking = false;
        logger.warn(`WhatsApp ended the link${code ? ` (${code})` : ''}: ${reason}.`);
        auth.wipe();
        this.update({ state: 'logged_out', account: null, connectedSince: null, lastDisconnect: { ...lastDisconnect, reason }, relinkReason: reason });
        this.connect();
        return;
      }
      case 'halt':
        logger.error(haltMessage(action));
        this.update({ state: action.state, connectedSince: null, lastDisconnect });
        return;
      case 'backoff': {
        this.failures++;
        const delay = reconnectDelayMs(this.failures, this.deps.random);
        const level = this.failures > 3 ? 'warn' : 'info';
        logger[level](
          `WhatsApp connection lost: ${action.reason}${code ? ` (${code})` : ''}. Reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${this.failures}).`,
        );
        this.update({ state: 'reconnecting', connectedSince: null, lastDisconnect, nextReconnectAt: Date.now() + delay });
        this.reconnectTimer = setTimeout(() => {
          this.reconnectTimer = null;
          this.connect();
        }, delay);
        return;
      }
    }
  }

  private account(): Account | null {
    return accountOf(this.deps.auth.state.creds.me);
  }

  private update(change: Partial<ConnectionStatus>): void {
    this.current = { ...this.current, ...change };
    this.deps.bus.emit('connection', this.current);
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
