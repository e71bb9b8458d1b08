import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { ApiToken } from './api-token.js';
import { SendError, type MessageSender } from './message-sender.js';
import { listen, close } from '../web/http-server.js';

export interface MessageApiDeps {
  host: string;
  port: number;
  token: ApiToken;
  sender: MessageSender;
  health(): { whatsapp: string };
  logger: Logger;
}

/**
 * The message API for Home Assistant and other apps on the internal network:
 * `POST /api/send` (Bearer token) and `GET /api/health` (open, used by the image's HEALTHCHECK).
 */
export class MessageApiServer implements Part {
  private server: Server | null = null;

  constructor(private readonly deps: MessageApiDeps) {}

  /** The port bound (0 before start). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async start(): Promise<void> {
    this.server = await listen(this.routes(), this.deps.port, this.deps.host);
    this.deps.logger.info(`Message API listening on port ${this.port}.`);
  }

  /** Sends still waiting for their turn are answered 503 first; then the server closes. */
  async stop(): Promise<void> {
    this.deps.sender.stop();
    const server = this.server;
    this.server = null;
    if (server) await close(server);
  }

  private routes() {
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
    return app;
  }

  private readonly authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (presented && this.deps.token.matches(presented)) {
      next();
      return;
    }
    const refused = this.deps.token.refusedBecause;
    const error = refused
      ? `Missing or wrong token. The 'api_token' option was refused because ${refused}, so the app uses the generated token shown on its page: fix the option (or leave it empty) and restart, or send that token as 'Authorization: Bearer <token>'.`
      : "Missing or wrong token: send 'Authorization: Bearer <api_token>' (the token is on the app's page).";
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error });
  };
}
