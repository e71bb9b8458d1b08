import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import {
  initAuthCreds,
  makeWASocket,
  type AuthenticationState,
  type ConnectionState,
  type MessageUserReceiptUpdate,
  type UserFacingSocketConfig,
  type WAMessage,
  type WAMessageUpdate,
  type WASocket,
} from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { memoryKeyStore, type WaSimulator } from '../../simulator/index.js';
import { waitForEvent } from '../../simulator/waits.js';

export const silent = pino({ level: 'silent' });

/** Fresh, unpaired credentials kept in memory (what a client stores on disk, minus the disk). */
export function memoryAuthState(): AuthenticationState {
  return { creds: initAuthCreds(), keys: memoryKeyStore() };
}

/** A received message with the `messages.upsert` type it came with. */
export interface Upsert {
  readonly msg: WAMessage;
  readonly type: 'notify' | 'append';
}

const WAIT_MS = 9_000;

/**
 * The real Baileys client pointed at the simulator, with event-driven waits. One instance is one
 * socket: reconnecting means `TestClient.connect` again with the same auth state.
 */
export class TestClient {
  readonly upserts: Upsert[] = [];
  readonly updates: Partial<ConnectionState>[] = [];
  /** Every `messages.update` entry (edits, deletions, statuses of sent messages). */
  readonly messageUpdates: WAMessageUpdate[] = [];
  /** Every `message-receipt.update` entry (group receipts of sent messages). */
  readonly receiptUpdates: MessageUserReceiptUpdate[] = [];
  private readonly changed = new EventEmitter();

  private constructor(readonly sock: WASocket) {
    sock.ev.on('connection.update', (update) => {
      this.updates.push(update);
      this.changed.emit('change');
    });
    sock.ev.on('messages.upsert', ({ messages, type }) => {
      for (const msg of messages) this.upserts.push({ msg, type: type as Upsert['type'] });
      this.changed.emit('change');
    });
    sock.ev.on('messages.update', (updates) => {
      this.messageUpdates.push(...updates);
      this.changed.emit('change');
    });
    sock.ev.on('message-receipt.update', (updates) => {
      this.receiptUpdates.push(...updates);
      this.changed.emit('change');
    });
  }

  static connect(sim: Pick<WaSimulator, 'url'>, auth: AuthenticationState, config: Partial<UserFacingSocketConfig> = {}): TestClient {
    return new TestClient(
      makeWASocket({
        auth,
        logger: silent,
        waWebSocketUrl: sim.url,
        markOnlineOnConnect: false,
        syncFullHistory: false,
        ...config,
      }),
    );
  }

  /** Resolves with the first value `check` returns, re-checked on every client event. */
  waitFor<T>(check: () => T | undefined, what: string, timeoutMs = WAIT_MS): Promise<T> {
    return waitForEvent(this.changed, ['change'], check, timeoutMs, `client: ${what}`);
  }

  /** The first QR the client showed. */
  qr(): Promise<string> {
    return this.waitFor(() => this.updates.find((u) => u.qr)?.qr, 'a QR');
  }

  /** Resolves when the connection is open. */
  async opened(): Promise<void> {
    await this.waitFor(() => (this.updates.some((u) => u.connection === 'open') ? true : undefined), 'connection open');
  }

  /** Resolves with the status code the connection closed with. */
  closed(timeoutMs = WAIT_MS): Promise<number | undefined> {
    return this.waitFor(
      () => {
        const close = this.updates.find((u) => u.connection === 'close');
        if (!close) return undefined;
        return { code: (close.lastDisconnect?.error as { output?: { statusCode?: number } })?.output?.statusCode };
      },
      'connection close',
      timeoutMs,
    ).then((r) => r.code);
  }

  /** Resolves with the first `n` upserted messages that match `filter`. */
  messages(n: number, filter: (u: Upsert) => boolean = () => true, timeoutMs = WAIT_MS): Promise<Upsert[]> {
    return this.waitFor(
      () => {
        const found = this.upserts.filter(filter);
        return found.length >= n ? found.slice(0, n) : undefined;
      },
      `${n} message(s)`,
      timeoutMs,
    );
  }

  /** The upserted message with this id. */
  async message(id: string): Promise<Upsert> {
    const [found] = await this.messages(1, (u) => u.msg.key?.id === id);
    return found!;
  }

  /** The first `messages.update` entry that matches `filter`. */
  messageUpdate(filter: (u: WAMessageUpdate) => boolean, what = 'a messages.update'): Promise<WAMessageUpdate> {
    return this.waitFor(() => this.messageUpdates.find(filter), what);
  }

  /** The first `message-receipt.update` entry that matches `filter`. */
  receiptUpdate(filter: (u: MessageUserReceiptUpdate) => boolean, what = 'a message-receipt.update'): Promise<MessageUserReceiptUpdate> {
    return this.waitFor(() => this.receiptUpdates.find(filter), what);
  }

  /** Ends the socket (no reconnect). */
  end(): void {
    this.sock.end(undefined);
  }
}

/** Pairs a fresh client by QR and logs it in after the 515 restart; resolves once it is online. */
export async function pairedClient(sim: WaSimulator, config: Partial<UserFacingSocketConfig> = {}) {
  const auth = memoryAuthState();
  const pairing = TestClient.connect(sim, auth, config);
  await sim.pairWithQr(await pairing.qr());
  assert.equal(await pairing.closed(), 515, 'restart after pairing');
  const client = TestClient.connect(sim, auth, config);
  await client.opened();
  await sim.waitForOnline();
  return { auth, client };
}
