import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Bus } from '../bus.js';
import { ChatQueryError, parseChatQuery, type ChatQuery, type ChatsAnswer } from '../directory/chat-list.js';
import type { Part } from '../lifecycle.js';
import type { DeliveryAttempt } from '../bus-events.js';
import type { Logger } from '../logging/logger.js';
import { RateLimitedWarning } from '../logging/rate-limited.js';
import { boundPort, close, listen } from './http-server.js';
import { pageOriginGuard } from './page-origin.js';
import { answerFailure, BAD_ESCAPE, isBadEscape, unknownPath } from './request-errors.js';
import { pageSecurityHeaders } from './security-headers.js';
import type { PageGets, PagePosts, WebhookTestAnswer } from './page-api.js';
import type { StatusReport } from './status-report.js';
import { UnlinkConfirmation } from './unlink-confirmation.js';
import { phoneDigits } from '../whatsapp/jid.js';

/** What the page can ask the bridge to do. */
export interface IngressActions {
  status(): StatusReport;
  /** The latest attempts of every destination, newest first. */
  recentDeliveries(limit: number): DeliveryAttempt[];
  logout(): Promise<void>;
  reconnect(): void;
  requestPairingCode(phoneDigits: string): Promise<string>;
  /** The passkey's result the user pasted (the JSON object or its text); rejects with `status` and one line. */
  submitPasskey(pasted: unknown): Promise<void>;
  /** Ends the passkey step (Cancel, Try again) and starts linking over with a new QR code. */
  restartLinking(): void;
  sendTestWebhook(): Promise<WebhookTestAnswer>;
  /** Re-queues the dead deliveries of every destination; returns how many. */
  retryDeadDeliveries(): number;
  /** The message API's token, for the page's copy button (asked for on click, never in the status). */
  apiToken(): string;
  /** A page of the chat directory, for the Chats card. */
  chats(query: ChatQuery): ChatsAnswer;
}

export interface IngressServerDeps {
  host: string;
  port: number;
  /** The only client address answered: the ingress proxy under the Supervisor, loopback otherwise. */
  allowedClient: string;
  actions: IngressActions;
  bus: Bus;
  logger: Logger;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
/** How often at most the live stream pushes a new status (a burst of deliveries is one update). */
const PUSH_INTERVAL_MS = 250;
const HEARTBEAT_MS = 15_000;

/**
 * The page behind Home Assistant's ingress. Every URL is relative (the proxy strips its
 * /api/hassio_ingress/<token> prefix), nothing is compressed (the proxy drops the encoding),
 * and POSTs must be JSON so a cross-site form cannot trigger them.
 */
export class IngressServer implements Part {
  private server: Server | null = null;
  private readonly streams = new Set<Response>();
  private pushTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly onChange = () => this.schedulePush();
  private readonly refusals: RateLimitedWarning;
  private readonly unlinkConfirmation = new UnlinkConfirmation();

  constructor(private readonly deps: IngressServerDeps) {
    this.refusals = new RateLimitedWarning(deps.logger);
  }

  /** The port bound (0 before start). */
  get port(): number {
    return boundPort(this.server);
  }

  async start(): Promise<void> {
    this.server = await listen(this.routes(), this.deps.port, this.deps.host);
    this.deps.logger.info(`Web UI listening on port ${this.port}.`);
    this.deps.bus.on('connection', this.onChange);
    this.deps.bus.on('delivery', this.onChange);
    this.deps.bus.on('accepted', this.onChange);
    this.deps.bus.on('storage', this.onChange);
  }

  async stop(): Promise<void> {
    this.deps.bus.off('connection', this.onChange);
    this.deps.bus.off('delivery', this.onChange);
    this.deps.bus.off('accepted', this.onChange);
    this.deps.bus.off('storage', this.onChange);
    if (this.pushTimer) clearTimeout(this.pushTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const res of this.streams) res.end();
    this.streams.clear();
    const server = this.server;
    this.server = null;
    if (server) await close(server);
  }

  private routes() {
    const { actions } = this.deps;
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(pageSecurityHeaders);
    app.use(this.onlyAllowedClient);
    // Any allowed client other than loopback is the Supervisor's ingress proxy (environment.ts).
    app.use(pageOriginGuard({ viaSupervisor: this.deps.allowedClient !== '127.0.0.1', port: () => this.port, refusals: this.refusals }));
    // Every action is a JSON POST (a body is optional): a cross-site form or a bare no-cors POST cannot send this header.
    app.use((req, res, next) => {
      if (req.method === 'POST' && !/^application\/json\b/i.test(req.get('content-type') ?? '')) {
        res.status(415).json({ error: 'Send the request with Content-Type: application/json.' });
        return;
      }
      next();
    });
    app.use(express.json({ limit: '16kb' }));

    app.get('/api/status', (_req, res) => {
      res.json(actions.status());
    });
    app.get('/api/events', (req, res) => this.openStream(req, res));
    app.get('/api/qr.svg', async (_req, res) => {
      const qr = actions.status().qr;
      if (!qr) {
        res.status(404).json({ error: 'No QR code right now: the bridge is linked or still connecting.' });
        return;
      }
      res
        .type('image/svg+xml')
        .set('Cache-Control', 'no-store')
        .send(await (await qrCode()).toString(qr, { type: 'svg', margin: 2, errorCorrectionLevel: 'L' }));
    });
    app.get('/api/deliveries', (req, res) => {
      const limit = Math.min(200, Math.max(1, Number(req.query.limit) || 50));
      res.json({ deliveries: actions.recentDeliveries(limit) } satisfies PageGets['api/deliveries']);
    });
    app.get('/api/chats', (req, res) => {
      try {
        res.json(actions.chats(parseChatQuery(req.query)) satisfies PageGets['api/chats']);
      } catch (error) {
        if (!(error instanceof ChatQueryError)) throw error;
        res.status(400).json({ error: error.message });
      }
    });
    // Unlinking is two steps: the dialog's confirmation, then the unlink carrying it.
    const currentLink = () => actions.status().me?.jid ?? '';
    app.post('/api/logout/confirmation', (_req, res) => {
      res.set('Cache-Control', 'no-store').json(this.unlinkConfirmation.issue(currentLink()));
    });
    app.post('/api/logout', async (req, res) => {
      const check = this.unlinkConfirmation.take((req.body as { confirmation?: unknown } | undefined)?.confirmation, currentLink());
      if (!check.ok) {
        res.status(check.status).json({ error: check.error });
        return;
      }
      await actions.logout();
      res.json({ ok: true });
    });
    app.post('/api/reconnect', (_req, res) => {
      actions.reconnect();
      res.json({ ok: true });
    });
    app.post('/api/pairing-code', async (req, res) => {
      const digits = phoneDigits(String(req.body?.phone ?? ''));
      // WhatsApp's shortest numbers with their country code have 7 digits.
      if (!digits || digits.length < 7) {
        res.status(400).json({ error: 'Enter the phone number with country code, e.g. +49 151 23456789.' });
        return;
      }
      try {
        res.json({ code: await actions.requestPairingCode(digits) } satisfies PagePosts['api/pairing-code']['answer']);
      } catch (error) {
        res.status(409).json({ error: (error as Error).message });
      }
    });
    app.post('/api/passkey', async (req, res) => {
      // { result: <the paste> }, or the result object itself.
      const body = req.body as Record<string, unknown> | undefined;
      const pasted = body && 'result' in body ? body.result : body && Object.keys(body).length > 0 ? body : undefined;
      if (pasted === undefined || pasted === null || pasted === '') {
        res.status(400).json({ error: 'Paste the result the snippet showed on web.whatsapp.com, then press Submit.' });
        return;
      }
      try {
        await actions.submitPasskey(pasted);
        res.json({ ok: true });
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (!status || status < 400 || status >= 500) throw error;
        res.status(status).json({ error: (error as Error).message });
      }
    });
    app.post('/api/passkey/cancel', (_req, res) => {
      try {
        actions.restartLinking();
        res.json({ ok: true });
      } catch (error) {
        res.status(409).json({ error: (error as Error).message });
      }
    });
    app.post('/api/webhook/test', async (_req, res) => {
      res.json(await actions.sendTestWebhook());
    });
    app.post('/api/deliveries/retry-dead', (_req, res) => {
      res.json({ requeued: actions.retryDeadDeliveries() } satisfies PagePosts['api/deliveries/retry-dead']['answer']);
    });
    app.post('/api/message-api/token', (_req, res) => {
      res.set('Cache-Control', 'no-store').json({ token: actions.apiToken() } satisfies PagePosts['api/message-api/token']['answer']);
    });
    app.use(express.static(PUBLIC_DIR, { index: 'index.html', etag: false }));
    app.use(unknownPath("this is the app's page: open it from Home Assistant."));
    const failure = answerFailure(this.deps.logger, 'Web UI');
    app.use((error: Error & { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
      if (error.type === 'entity.parse.failed') return void res.status(400).json({ error: 'The request body is not valid JSON.' });
      if (error.type === 'entity.too.large') return void res.status(413).json({ error: 'The request body is too large for this action.' });
      if (isBadEscape(error)) return void res.status(400).json({ error: BAD_ESCAPE });
      if (error.status && error.status >= 400 && error.status < 500) return void res.status(error.status).json({ error: error.message });
      failure(error, req, res, next);
    });
    return app;
  }

  private readonly onlyAllowedClient = (req: Request, res: Response, next: NextFunction): void => {
    const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const allowed = this.deps.allowedClient;
    if (client === allowed || (allowed === '127.0.0.1' && client === '::1')) {
      next();
      return;
    }
    this.refusals.warn(client, `Refused a Web UI request from ${client}: only ${allowed} may connect.`);
    res.status(403).type('text/plain').send('Forbidden: open this page from Home Assistant (the app\'s "Open Web UI" button).\n');
  };

  private openStream(req: Request, res: Response): void {
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    this.writeStatus(res);
    this.streams.add(res);
    // The keep-alive runs only while a page is open: at rest the app has no timer of its own.
    this.heartbeat ??= setInterval(() => this.streams.forEach((stream) => stream.write(': keep-alive\n\n')), HEARTBEAT_MS);
    req.on('close', () => {
      this.streams.delete(res);
      if (this.streams.size > 0 || !this.heartbeat) return;
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    });
  }

  private schedulePush(): void {
    if (this.pushTimer || this.streams.size === 0) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      this.streams.forEach((res) => this.writeStatus(res));
    }, PUSH_INTERVAL_MS);
  }

  private writeStatus(res: Response): void {
    res.write(`event: status\ndata: ${JSON.stringify(this.deps.actions.status())}\n\n`);
  }
}

/** qrcode is loaded when a QR code is first drawn: it is needed only while pairing, not at rest. */
const qrCode = async () => (await import('qrcode')).default;
