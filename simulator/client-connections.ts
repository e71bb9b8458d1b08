import type { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Device } from './account.js';
import { Connection } from './connection.js';
import { makeServerIdentity, type ServerIdentity } from './noise-server.js';
import type { ClientSession } from './session.js';
import { faultNode } from './stanzas.js';
import type { ConnectionInfo, Logger, SimulatorEvents, StreamFault } from './types.js';
import { waitForEvent } from './waits.js';

/** Where Baileys opens its WebSocket (`waWebSocketUrl`). */
export const WS_PATH = '/ws/chat';

/**
 * The server's side of the client's WebSockets: takes the upgrade on WS_PATH (or refuses it for a
 * while), gives each connection its ClientSession, and reaches, faults and closes the open ones.
 */
export class ClientConnections {
  /** One per connection still open, logged in or not. */
  readonly sessions = new Set<ClientSession>();
  private readonly identity: ServerIdentity = makeServerIdentity();
  private readonly wss = new WebSocketServer({ noServer: true });
  private accepted = 0;
  private refuseUntil = 0;

  constructor(
    server: Server,
    private readonly events: EventEmitter<SimulatorEvents>,
    private readonly logger: Logger,
    /** The session that serves a new connection. */
    private readonly sessionFor: (connection: Connection) => ClientSession,
  ) {
    server.on('upgrade', (req, socket, head) => {
      const refused = Date.now() < this.refuseUntil;
      if (refused) this.events.emit('refused');
      if (refused || new URL(req.url ?? '/', 'http://sim').pathname !== WS_PATH) {
        socket.destroy(); // the client sees "socket hang up"
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** Connections accepted so far (refused ones excluded). */
  get count(): number {
    return this.accepted;
  }

  /** The connection a device is logged in and online on, if any. */
  onlineConnection(device: Device): Connection | undefined {
    return [...this.sessions].find((s) => s.device === device && s.online && s.connection.isOpen)?.connection;
  }

  /** Every open connection, logged in or not. */
  open(): Connection[] {
    return [...this.sessions].map((s) => s.connection).filter((c) => c.isOpen);
  }

  /** A server notification to every logged-in connection. */
  notify(notification: BinaryNode): void {
    for (const session of this.sessions) if (session.device && session.connection.isOpen) session.connection.send(notification);
  }

  /** Ends every logged-in connection with `<stream:error code="401"><conflict type="device_removed"/>`. */
  removeDevices(): void {
    for (const session of this.sessions) if (session.device) session.connection.end(faultNode(401));
  }

  /** The fault stanza for `code` on every open connection. */
  streamError(code: StreamFault): void {
    for (const connection of this.open()) connection.end(faultNode(code));
  }

  /** Resets new connections for `ms`. */
  refuseFor(ms: number): void {
    this.refuseUntil = Date.now() + ms;
  }

  /** Resolves when the current (or next) connection is logged in and got the offline marker. */
  waitForOnline(timeoutMs: number): Promise<ConnectionInfo> {
    const check = () => [...this.sessions].find((s) => s.online && s.connection.isOpen)?.info;
    return waitForEvent(this.events, ['online'], check, timeoutMs, 'a client to come online');
  }

  /** Resolves when connection number `n` (1-based) has been accepted. */
  async waitForConnection(n: number, timeoutMs: number): Promise<void> {
    const check = () => (this.accepted >= n ? true : undefined);
    await waitForEvent(this.events, ['connection'], check, timeoutMs, `connection #${n}`);
  }

  /** Terminates every client socket and stops taking new ones. */
  stop(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    const connection = new Connection(++this.accepted, ws, this.identity, this.logger);
    const session = this.sessionFor(connection);
    this.sessions.add(session);
    connection.on('close', () => {
      this.sessions.delete(session);
      this.events.emit('disconnect', session.info);
    });
    this.events.emit('connection', session.info);
  }
}
