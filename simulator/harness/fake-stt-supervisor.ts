// A fake Supervisor with Home Assistant's speech-to-text API behind its Core proxy, on 127.0.0.1:
// GET /core/api/config ({language}), GET /core/api/stt/<entity> (the engine's capabilities),
// POST /core/api/stt/<entity> (the audio, with X-Speech-Content), POST /core/api/events/<type>.
// Like the real proxy it forwards only an `X-Speech-Content` header spelled exactly so (it
// matches names case-sensitively); like Home Assistant it answers 400 for a missing or
// incomplete header, 415 for metadata the engine does not list, 404 for an unknown entity.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep, waitForEvent } from '../waits.js';
import type { EngineCapabilities } from '../../src/stt/speech-format.js';

/** What GET /core/api/stt/<entity> answers: Home Assistant's shape, as the product reads it. */
export type Capabilities = EngineCapabilities;

/** Home Assistant Cloud's engine: Ogg Opus or WAV/PCM, 16 kHz mono. */
export const OGG_ENGINE: Capabilities = {
  languages: ['en-US', 'de-AT', 'de-CH', 'de-DE', 'fr-FR'],
  formats: ['ogg', 'wav'],
  codecs: ['opus', 'pcm'],
  sample_rates: [16000],
  bit_rates: [16],
  channels: [1],
};

/** A Wyoming engine (faster-whisper): raw 16-bit mono PCM at 16 kHz, bare language codes. */
export const PCM_ENGINE: Capabilities = {
  languages: ['de', 'en', 'fr', 'it'],
  formats: ['wav'],
  codecs: ['pcm'],
  sample_rates: [16000],
  bit_rates: [16],
  channels: [1],
};

/** How an entity behaves; the answer's text may depend on what was received. */
export interface FakeEngine {
  capabilities: Capabilities;
  /** The text heard (default "turn on the lights"). */
  text?: string | ((post: SttPost) => string);
  /** `result` of the answer (default success). */
  result?: 'success' | 'error';
  /** HTTP status of the capabilities answer (e.g. 502 while Home Assistant restarts). */
  capabilitiesStatus?: number;
  /** The transcription answers this much later. */
  delayMs?: number;
}

/** One POST /core/api/stt/<entity> as it arrived. */
export interface SttPost {
  entity: string;
  authorization: string | undefined;
  /** Every header name exactly as sent (rawHeaders). */
  headerNames: string[];
  /** The X-Speech-Content fields, or null when no header spelled exactly so arrived. */
  speechContent: Record<string, string> | null;
  body: Buffer;
  /** The status answered. */
  status: number;
}

const FIELDS = ['format', 'codec', 'sample_rate', 'bit_rate', 'channel', 'language'];

export async function fakeSttSupervisor(opts: { token?: string; language?: string | null } = {}) {
  const token = opts.token ?? 'supervisor-token-for-stt-tests';
  const engines = new Map<string, FakeEngine>();
  const posts: SttPost[] = [];
  const events: Array<{ type: string; data: any }> = [];
  const requests: Array<{ method: string; path: string }> = [];
  const changed = new EventEmitter();
  const language = opts.language === undefined ? 'de' : opts.language;

  const server = createServer(async (req, res) => {
    const body = await read(req);
    const path = req.url ?? '';
    requests.push({ method: req.method ?? '', path });
    const send = (status: number, json: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      changed.emit('change');
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Unauthorized' });
    const stt = /^\/core\/api\/stt\/([^/?]+)$/.exec(path);
    if (req.method === 'GET' && path === '/core/api/config') return send(200, { language, location_name: 'Home', version: '2026.12.0' });
    if (req.method === 'POST' && path.startsWith('/core/api/events/')) {
      events.push({ type: path.slice('/core/api/events/'.length), data: JSON.parse(body.toString('utf8')) });
      return send(200, { message: 'Event fired.' });
    }
    if (req.method === 'GET' && stt) {
      const engine = engines.get(stt[1]!);
      if (!engine) return send(404, { message: 'Not found' });
      if (engine.capabilitiesStatus && engine.capabilitiesStatus !== 200) return send(engine.capabilitiesStatus, { message: 'Bad gateway' });
      return send(200, engine.capabilities);
    }
    if (req.method === 'POST' && stt) return answerPost(stt[1]!, req, body, res, send);
    send(404, { message: 'Not found' });
  });

  async function answerPost(entity: string, req: IncomingMessage, body: Buffer, res: ServerResponse, send: (status: number, json: unknown) => void) {
    const names = req.rawHeaders.filter((_, i) => i % 2 === 0);
    const at = req.rawHeaders.findIndex((name, i) => i % 2 === 0 && name === 'X-Speech-Content');
    const fields = at < 0 ? null : parseFields(req.rawHeaders[at + 1]!);
    const post: SttPost = { entity, authorization: req.headers.authorization, headerNames: names, speechContent: fields, body, status: 0 };
    posts.push(post);
    const engine = engines.get(entity);
    const answer = (status: number, json: unknown) => {
      post.status = status;
      send(status, json);
    };
    if (!engine) return answer(404, { message: 'Not found' });
    if (!fields || FIELDS.some((f) => !(f in fields))) return answer(400, { message: 'Missing X-Speech-Content header' });
    const caps = engine.capabilities;
    const fits =
      caps.formats.includes(fields.format!) &&
      caps.codecs.includes(fields.codec!) &&
      caps.sample_rates.includes(Number(fields.sample_rate)) &&
      caps.bit_rates.includes(Number(fields.bit_rate)) &&
      caps.channels.includes(Number(fields.channel)) &&
      caps.languages.includes(fields.language!);
    if (!fits) return answer(415, { message: 'Unsupported media type' });
    let gone = false;
    res.once('close', () => (gone = true));
    if (engine.delayMs) await sleep(engine.delayMs);
    if (gone || res.destroyed) {
      post.status = -1; // the app gave up first
      changed.emit('change');
      return;
    }
    const result = engine.result ?? 'success';
    const text = result === 'success' ? (typeof engine.text === 'function' ? engine.text(post) : (engine.text ?? 'turn on the lights')) : null;
    answer(200, { text, result });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    /** The variables the Supervisor gives an app, pointing at this one. */
    env: { SUPERVISOR_TOKEN: token, SUPERVISOR_URL: `http://127.0.0.1:${port}` },
    token,
    posts,
    requests,
    /** Sets (or with undefined removes) what an entity is; an unknown entity answers 404. */
    engine(entity: string, engine: FakeEngine | undefined): void {
      if (engine) engines.set(entity, engine);
      else engines.delete(entity);
    },
    /** The data of every event of `type` fired so far, in order. */
    events: (type: string) => events.filter((e) => e.type === type).map((e) => e.data),
    waitFor(check: () => boolean, timeoutMs = 15_000, what = 'fake Supervisor condition'): Promise<true> {
      return waitForEvent(changed, ['change'], () => check() || undefined, timeoutMs, what);
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeSttSupervisor = Awaited<ReturnType<typeof fakeSttSupervisor>>;

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `format=ogg; codec=opus; ...` as Home Assistant reads it (fields split at `;`, trimmed). */
function parseFields(header: string): Record<string, string> {
  return Object.fromEntries(
    header
      .split(';')
      .map((entry) => entry.trim().split('='))
      .map(([key, ...value]) => [key!, value.join('=')]),
  );
}
