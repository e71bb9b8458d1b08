import type { Express } from 'express';
import type { Server } from 'node:http';

/** How long requests under way may finish when a server closes. */
const CLOSE_GRACE_MS = 2_000;

/** Binds an Express app; rejects with the bind error (e.g. EADDRINUSE). */
export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

/** The port a server is bound to, or 0 before it listens. */
export function boundPort(server: Server | null): number {
  const address = server?.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Stops accepting, lets requests under way answer for a moment, then drops what is left. */
export async function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
  await closed;
  clearTimeout(grace);
}
