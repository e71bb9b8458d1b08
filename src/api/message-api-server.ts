import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { SavedFile } from '../media/media-files.js';
import type { ApiToken } from './api-token.js';
import type { MessageSender } from './message-sender.js';
import { WHATSAPP_LIMITS } from './media-request.js';
import { SendError } from './send-error.js';
import { boundPort, close, listen } from '../web/http-server.js';
import { apiSecurityHeaders } from '../web/security-headers.js';

export interface MessageApiDeps {
  host: string;
  port: number;
  token: ApiToken;
  sender: MessageSender;
  health(): { whatsapp: string };
  /** A saved media file by message id, or null (never saved, or removed by retention). */
  mediaFile(messageId: string): SavedFile | null;
  logger: Logger;
}

/** The largest file WhatsApp takes (a document), as base64, plus room for the rest of the request. */
const MAX_BODY_BYTES = Math.ceil((WHATSAPP_LIMITS.document * 4) / 3) + 1024 * 1024;

/**
 * The message API for Home Assistant and other apps on the internal network:
 * `POST /api/send` (Bearer token) and `GET /api/health` (open, used by the image's HEALTHCHECK).
 */
export class MessageApiServer implements Part {
  private server: Server | null = null;

  constructor(private readonly deps: MessageApiDeps) {}

  /** The port bound (0 before start). */
  get port(): number {
    return boundPort(this.server);
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
    app.use(apiSecurityHeaders);
    app.get('/api/health', (_req, res) => {
      res.json({ status: 'ok', ...this.deps.health() });
    });
    app.post('/api/send', this.authenticate, express.json({ limit: MAX_BODY_BYTES }), async (req, res) => {
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
    app.get('/api/media/:id', this.authenticate, (req, res) => {
      const file = this.deps.mediaFile(String(req.params.id));
      const gone = () =>
        res.status(404).json({ error: `No saved file for message ${req.params.id}: it had none, was not downloaded, or was removed by retention.` });
      if (!file) return gone();
      res.sendFile(file.path, { headers: { 'Content-Type': file.mimetype ?? 'application/octet-stream' }, dotfiles: 'allow' }, (error) => {
        if (error && !res.headersSent) gone();
      });
    });
    app.use((_req, res) => {
      res.status(404).json({ error: 'Unknown endpoint: use POST /api/send, GET /api/media/<message id> or GET /api/health.' });
    });
    app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
      if (error.type === 'entity.too.large') {
        res.status(413).json({
          error: `The request is larger than ${Math.round(MAX_BODY_BYTES / 1024 / 1024)} MB: send a large file by "path" or "url" instead of "base64".`,
        });
        return;
      }
      if (error.status && error.status >= 400 && error.status < 500) {
        res.status(error.status).json({ error: 'The body must be JSON: {"to": "...", "text": "..."}.' });
        return;
      }
      this.deps.logger.error(`Message API request failed: ${error.message}`);
      res.status(500).json({ error: 'The app could not handle the request; see its log.' });
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
