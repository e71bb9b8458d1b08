import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1 (only) that answers plain requests with 426: clients must upgrade to WebSocket. */
export async function listenOnLoopback(port: number): Promise<Server> {
  const server = createServer((_, res) => res.writeHead(426).end('WhatsApp simulator: WebSocket only\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

/** The port a listening server got. */
export const portOf = (server: Server): number => (server.address() as AddressInfo).port;
