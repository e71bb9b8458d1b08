import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { Logger } from '../logging/logger.js';
import { tokenMatches } from './api-token.js';
import { SendError, type MessageSender } from './message-sender.js';

export interface MessageApiDeps {
  host: string;
  port: number;
  token: string;
  sender: MessageSender;
  health(): { whatsapp: string };
  logger: Logger;
}

/**
 * The message API for Home Assistant and other apps on the internal network:
 * `POST /api/send` (Bearer token) and `GET /api/health` (open, used by the image's HEALTHCHECK).
 */
export class MessageApiServer {
  private server: Server | null = null;

  constructor(private readonly deps: MessageApiDeps) {}

  async start(): Promise<number> {
    const app = express();
    app.disable('x-powered-by');
    app.get('/api/health', (_req, res) => {
      res.json({ status: 'ok', ...this.deps.health() });
    });
    app.post('/api/send', this.authenticate, express.json({ limit: '128kb' }), async (req, res) => {
      try {
        res.json(await this.deps.sender.send(req.body));
      } catch (error) {
        if (error instanceof SendError) {
          res.status(error.status).json({ error: error.message });
          return;
        }
        this.deps.logger.error(`Sending failed: ${(error as Error).message}`);
        res.status(502).json({ error: `WhatsApp did not take the message: ${(error as Error).message}` });
      }
    });
    app.use((_req, res) => {
      res.status(404).json({ error: 'Unknown endpoint: use POST /api/send or GET /api/health.' });
    });
    app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(error.status === 400 ? 400 : 500).json({ error: error.status === 400 ? 'The body must be JSON: {"to": "...", "text": "..."}.' : error.message });
    });
    this.server = await new Promise<Server>((resolve, reject) => {
      const server = app.listen(this.deps.port, this.deps.host, (error?: Error) => (error ? reject(error) : resolve(server)));
    });
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : this.deps.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private readonly authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (!presented || !tokenMatches(presented, this.deps.token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: "Missing or wrong token: send 'Authorization: Bearer <api_token>' (the token is on the app's page)." });
      return;
    }
    next();
  };
}
