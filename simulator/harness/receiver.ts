import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForEvent } from '../waits.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

/** How the receiver answers one request: a status (and headers), after an optional delay. */
export type Reply = { status: number; headers?: Record<string, string>; delayMs?: number };
export type Responder = (request: ReceivedRequest, index: number) => Reply;

/**
 * A real webhook receiver on 127.0.0.1 for tests: records every request and answers as the
 * test scripts it. Waiting is event-driven (`waitFor`), never a sleep.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private responder: Responder = () => ({ status: 200 });
  private readonly answered = new EventEmitter();
  private readonly server: Server;
  private readonly pending = new Set<ServerResponse>();
  port = 0;
  /** Requests that arrived, answered or not yet. */
  arrivals = 0;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          /* not JSON: leave null */
        }
        const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now() };
        const reply = this.responder(request, this.arrivals++);
        const answer = () => {
          this.pending.delete(res);
          if (res.destroyed) return;
          res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
          res.end('ok');
          if (reply.status >= 200 && reply.status < 300) this.requests.push(request);
          else this.failed.push(request);
          this.answered.emit('request');
        };
        this.pending.add(res);
        this.answered.emit('request'); // arrivals count too: a test may wait for a request it holds
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
  }

  /** Requests that got a non-2xx answer. */
  readonly failed: ReceivedRequest[] = [];

  static async start(port = 0): Promise<TestReceiver> {
    const receiver = new TestReceiver();
    await receiver.listen(port);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Bodies of the requests answered 2xx, parsed. */
  get accepted(): any[] {
    return this.requests.map((r) => r.json);
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Resolves once `check()` holds, re-checked as each request arrives and as it is answered. */
  async waitFor(check: () => boolean, timeoutMs = 8000, what = 'receiver condition'): Promise<void> {
    await waitForEvent(
      this.answered,
      ['request'],
      () => check() || undefined,
      timeoutMs,
      `${what} (${this.requests.length} accepted, ${this.failed.length} failed so far)`,
    );
  }

  waitForCount(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.requests.length >= n, timeoutMs, `${n} accepted requests`);
  }

  /** Stops listening (a receiver that is "down"); `listen` brings it back on the same port. */
  async close(): Promise<void> {
    for (const res of this.pending) res.destroy();
    this.pending.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async listen(port = this.port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }
}
