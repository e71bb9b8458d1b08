import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { ApiToken } from './api-token.js';
import type { MessageSender } from '../outgoing/message-sender.js';
import { ChatQueryError, parseChatQuery, type ChatQuery, type ChatsAnswer } from '../directory/chat-list.js';
import { oldMediaUrl, serveMedia, type FindMediaFile } from './media-route.js';
import type { SendTicket } from '../outgoing/admission.js';
import { readSendBody, type SendBody } from './send-body.js';
import { SendError } from '../outgoing/send-error.js';
import { boundPort, close, listen } from '../web/http-server.js';
import { answerFailure, BAD_ESCAPE, isBadEscape, unknownPath } from '../web/request-errors.js';
import { apiSecurityHeaders } from '../web/security-headers.js';

export interface MessageApiDeps {
  host: string;
  port: number;
  token: ApiToken;
  sender: MessageSender;
  health(): { whatsapp: string };
  /** A saved media file by chat and message id, or null (never saved, or removed by retention). */
  mediaFile: FindMediaFile;
  /** A page of the chat directory (src/directory/). */
  chats(query: ChatQuery): ChatsAnswer;
  logger: Logger;
}

/** A send's body is JSON: anything else (a form, text/plain, none) is refused before it is read. */
function onlyJson(req: Request, res: Response, next: NextFunction): void {
  if (req.is('application/json')) return next();
  const type = req.get('content-type');
  res
    .status(415)
    .json({ error: `Send the body as JSON with Content-Type: application/json${type ? ` (this one is ${JSON.stringify(type.slice(0, 80))})` : ''}.` });
}

/**
 * The message API for Home Assistant and other apps on the internal network:
 * `POST /api/send` and `GET /api/chats` (Bearer token), and `GET /api/health` (open, used by the image's HEALTHCHECK).
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

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await close(server);
  }

  private routes() {
    const app = express();
    const failure = answerFailure(this.deps.logger, 'Message API');
    app.disable('x-powered-by');
    app.use(apiSecurityHeaders);
    app.get('/api/health', (_req, res) => {
      res.json({ status: 'ok', ...this.deps.health() });
    });
    // The queue's bound is checked (admit) before the body is read: a refused send parses nothing.
    app.post('/api/send', this.authenticate, onlyJson, async (req, res) => {
      let ticket: SendTicket | null = null;
      let body: SendBody | null = null;
      try {
        ticket = this.deps.sender.admit();
        body = await readSendBody(req, ticket);
        res.json(await this.deps.sender.send(body.fields, ticket));
      } catch (error) {
        req.resume(); // what is left of a refused body is read and dropped, so the connection can answer
        if (error instanceof SendError) {
          res.status(error.status).json({ error: error.message });
          return;
        }
        this.deps.logger.error(`Sending failed: ${(error as Error).message}`);
        res.status(502).json({ error: `WhatsApp did not take the message: ${(error as Error).message}` });
      } finally {
        await body?.file?.remove(); // before the ticket's load slot is free: temporary files stay bounded
        ticket?.close();
      }
    });
    app.get('/api/chats', this.authenticate, (req, res) => {
      try {
        res.json(this.deps.chats(parseChatQuery(req.query)));
      } catch (error) {
        if (!(error instanceof ChatQueryError)) throw error;
        res.status(400).json({ error: error.message });
      }
    });
    app.get('/api/media/:chat/:id', this.authenticate, serveMedia(this.deps.mediaFile));
    app.get('/api/media/:id', this.authenticate, oldMediaUrl);
    app.use(unknownPath("use POST /api/send, GET /api/chats, GET /api/media/<chat>/<message id> (a message's media.url) or GET /api/health."));
    app.use((error: Error & { status?: number }, req: Request, res: Response, next: NextFunction) => {
      if (isBadEscape(error)) {
        res.status(400).json({ error: BAD_ESCAPE });
        return;
      }
      if (error.status && error.status >= 400 && error.status < 500) {
        res.status(error.status).json({ error: `The request could not be read: ${error.message}.` });
        return;
      }
      failure(error, req, res, next);
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
