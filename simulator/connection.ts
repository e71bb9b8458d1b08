import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { decodeBinaryNode, encodeBinaryNode, type BinaryNode } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import { NoiseServer, type ClientHello, type ServerIdentity } from './noise-server.js';
import type { Logger } from './types.js';

/** Events of one client connection. */
export interface ConnectionEvents {
  /** The Noise handshake finished: the client says who it is. */
  hello: [ClientHello];
  /** A binary node from the client (answers to our own iqs are routed to `query` instead). */
  node: [BinaryNode];
  /** The socket closed, whoever closed it. */
  close: [];
}

const SERVER = 's.whatsapp.net';

/**
 * One client WebSocket: Noise framing and handshake, binary node in/out, and iqs the server
 * itself sends (pair-device, pair-success) with their answers. It knows nothing of accounts.
 */
export class Connection extends EventEmitter<ConnectionEvents> {
  private readonly noise: NoiseServer;
  private readonly pendingIqs = new Map<string, (node: BinaryNode) => void>();
  private inbox: Promise<void> = Promise.resolve();
  private handshakeStep = 0;
  private silent = false;
  private ended = false;

  constructor(
    /** 1-based number of this connection since the simulator started. */
    readonly number: number,
    private readonly socket: WebSocket,
    identity: ServerIdentity,
    private readonly logger: Logger,
  ) {
    super();
    this.noise = new NoiseServer(identity);
    socket.on('message', (data: Buffer) => {
      // frames must be decrypted strictly in arrival order (counter-based IVs)
      this.inbox = this.inbox
        .then(() => this.receive(data))
        .catch((err) => {
          this.logger.warn({ err, connection: number }, 'simulator: dropping connection after bad frame');
          this.close();
        });
    });
    socket.on('close', () => {
      this.ended = true;
      this.pendingIqs.clear();
      this.emit('close');
    });
    socket.on('error', (err) => this.logger.debug({ err, connection: number }, 'simulator: socket error'));
  }

  /** True while the socket is open and the stream has not been ended by a fault. */
  get isOpen(): boolean {
    return !this.ended && this.socket.readyState === this.socket.OPEN;
  }

  /** Sends a node, unless the connection went silent or was ended. */
  send(node: BinaryNode): void {
    if (!this.isOpen || this.silent) return;
    this.socket.send(this.noise.seal(encodeBinaryNode(node)));
  }

  /** Sends a server-initiated iq and resolves with the client's answer. */
  query(node: BinaryNode): Promise<BinaryNode> {
    const id = node.attrs.id ?? randomBytes(6).toString('hex');
    const iq = { ...node, attrs: { ...node.attrs, id, from: SERVER } };
    return new Promise((resolve, reject) => {
      if (!this.isOpen) return reject(new Error(`connection ${this.number} is closed`));
      this.pendingIqs.set(id, resolve);
      this.once('close', () => reject(new Error(`connection ${this.number} closed before answering ${id}`)));
      this.send(iq);
    });
  }

  /** Sends a terminal stanza (stream:error, failure); nothing is sent afterwards, what still arrives is read. */
  end(node: BinaryNode): void {
    this.send(node);
    this.ended = true;
  }

  /** Stops answering: incoming nodes (pings included) are dropped and nothing is sent. */
  goSilent(): void {
    this.silent = true;
  }

  /** Drops the TCP connection at once (the client sees a closed socket). */
  close(): void {
    this.ended = true;
    this.socket.terminate();
  }

  private async receive(data: Buffer): Promise<void> {
    for (const frame of this.noise.frames(data)) {
      if (this.handshakeStep === 0) {
        this.handshakeStep = 1;
        this.socket.send(this.noise.respondToHello(frame));
      } else if (this.handshakeStep === 1) {
        this.handshakeStep = 2;
        this.emit('hello', this.noise.finish(frame));
      } else {
        const node = await decodeBinaryNode(this.noise.open(frame));
        if (this.silent) continue;
        const waiter = node.tag === 'iq' ? this.pendingIqs.get(node.attrs.id ?? '') : undefined;
        if (waiter && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
          this.pendingIqs.delete(node.attrs.id!);
          waiter(node);
        } else {
          this.emit('node', node);
        }
      }
    }
  }
}
