import { EventEmitter } from 'node:events';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForEvent } from '../../simulator/waits.js';

/** One POST /core/api/conversation/process as it arrived, and whether its token was right. */
export interface ConversationPost {
  authorized: boolean;
  body: { text?: unknown; language?: unknown; agent_id?: unknown; conversation_id?: unknown };
}

/** How the fake answers one post: Home Assistant's JSON, a status, a delay. */
export interface ConversationReply {
  status?: number;
  json?: unknown;
  delayMs?: number;
}

/** Home Assistant's answer shape (developers.home-assistant.io, intent_conversation_api). */
export function conversationAnswer(
  speech: string,
  conversationId: string,
  opts: { type?: 'action_done' | 'query_answer' | 'error'; continueConversation?: boolean; code?: string } = {},
) {
  const type = opts.type ?? 'query_answer';
  return {
    response: {
      response_type: type,
      language: 'en',
      speech: { plain: { speech, extra_data: null } },
      data: type === 'error' ? { code: opts.code ?? 'no_intent_match' } : { targets: [], success: [], failed: [] },
    },
    conversation_id: conversationId,
    continue_conversation: opts.continueConversation ?? false,
  };
}

/**
 * A fake Supervisor with Home Assistant's conversation API behind its Core proxy, on 127.0.0.1:
 * it checks the bearer token (401 otherwise, as the proxy does), records every post, and answers
 * as the test scripts it; by default "You said: <text>" with a conversation id that stays the
 * one the bridge passed back (a new one when none came), as Home Assistant chains them. Events
 * fired on Home Assistant's bus are recorded; any other request goes to `rest` when given (the
 * speech-to-text fake, with the same token), else 404.
 */
export class FakeAssistSupervisor {
  readonly posts: ConversationPost[] = [];
  /** Events fired through the Core proxy, in order. */
  readonly fired: Array<{ type: string; data: any }> = [];
  private readonly events = new EventEmitter();
  private answer: (post: ConversationPost, index: number) => ConversationReply = (post, i) => ({
    json: conversationAnswer(
      `You said: ${String(post.body.text)}`,
      typeof post.body.conversation_id === 'string' ? post.body.conversation_id : `conv-${i + 1}`,
    ),
  });
  private server!: Server;
  port = 0;

  private constructor(readonly token: string) {}

  static async start(token = 'supervisor-token-for-assist-tests', rest?: URL): Promise<FakeAssistSupervisor> {
    const fake = new FakeAssistSupervisor(token);
    fake.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const authorized = req.headers.authorization === `Bearer ${fake.token}`;
        if (req.method === 'POST' && req.url?.startsWith('/core/api/events/') && authorized) {
          fake.fired.push({ type: req.url.slice('/core/api/events/'.length), data: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          fake.events.emit('post');
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"message":"Event fired."}');
          return;
        }
        if (req.method !== 'POST' || req.url !== '/core/api/conversation/process') {
          if (rest) return forward(req, Buffer.concat(chunks), res, rest);
          res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Not found"}');
          return;
        }
        let body: ConversationPost['body'] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          /* recorded as an empty body: the test's assertions on it fail */
        }
        const post: ConversationPost = { authorized: req.headers.authorization === `Bearer ${fake.token}`, body };
        const index = fake.posts.push(post) - 1;
        fake.events.emit('post');
        const reply: ConversationReply = post.authorized ? fake.answer(post, index) : { status: 401, json: { message: 'Unauthorized' } };
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.json ?? {}));
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The variables the Supervisor gives an app, pointing at this one. */
  get env(): Record<string, string> {
    return { SUPERVISOR_TOKEN: this.token, SUPERVISOR_URL: `http://127.0.0.1:${this.port}` };
  }

  answerWith(answer: (post: ConversationPost, index: number) => ConversationReply): void {
    this.answer = answer;
  }

  /** Resolves once an event of `type` was fired that `check` accepts; its data. */
  async waitForEvent(type: string, check: (data: any) => boolean, timeoutMs = 15_000): Promise<any> {
    const find = () => this.fired.find((e) => e.type === type && check(e.data))?.data;
    return waitForEvent(this.events, ['post'], find, timeoutMs, `a ${type} event`);
  }

  /** Resolves once `n` posts arrived in all. */
  async waitForPosts(n: number, timeoutMs = 15_000): Promise<ConversationPost[]> {
    await waitForEvent(this.events, ['post'], () => (this.posts.length >= n ? true : undefined), timeoutMs, `${n} conversation posts`);
    return this.posts;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Passes one request on to the other fake, headers and body as they came (a proxy in front of both APIs). */
function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, to: URL): void {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
  const out = request(new URL(req.url ?? '/', to), { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.destroyed || res.writeHead(502).end());
  res.on('close', () => out.destroy());
  out.end(body);
}
