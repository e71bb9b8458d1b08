/**
 * npm run bench [-- --quick]
 *
 * Measures, in one run on this machine, with the simulator in its own process:
 *  (a) the decrypt ceiling: simulator -> Baileys with Signal keys in memory, nothing persisted or forwarded;
 *  (b) the HTTP ceiling: a plain keep-alive POST loop of the same payloads to the same receiver;
 *  (c) the full durable path: the bridge (SQLite keys + outbox + HTTP);
 * for 1,000 and 5,000 messages over 1 and 10 chats; then latency at a steady 50 msg/s, the
 * receipt-to-commit window, and RSS idle / with 50,000 queued / after the drain.
 * Prints Markdown for docs/performance.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { initAuthCreds, makeWASocket } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { Bridge } from '../src/bridge.js';
import { readEnvironment } from '../src/config/environment.js';
import { parseOptions } from '../src/config/options.js';
import { createHttpClient, postJson } from '../src/delivery/http-post.js';
import { DATABASE_FILE } from '../src/state/database.js';
import { memoryKeyStore } from '../src/simulator/index.js';
import { TestReceiver } from '../test/support/receiver.js';
import { StatusStream } from '../test/support/status-stream.js';
import { now, sentAtOf, type SimCommand, type SimReply } from './bench/protocol.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [200, 500] : [1000, 5000];
const CHATS = [1, 10];
const QUEUED = quick ? 5_000 : 50_000;
const STEADY_COUNT = quick ? 250 : 1000;
const DISPATCH_CONCURRENCY = 4; // the bridge's default: chats delivered in parallel
const silent = pino({ level: 'silent' });

class SimProcess {
  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  static async start(): Promise<SimProcess> {
    const child = fork(fileURLToPath(new URL('./bench/sim-worker.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const ready = await new Promise<SimReply>((resolve) => child.once('message', resolve));
    return new SimProcess(child, (ready as { url: string }).url);
  }

  ask(command: SimCommand): Promise<SimReply> {
    return new Promise((resolve) => {
      this.child.once('message', resolve);
      this.child.send(command);
    });
  }
}

const rate = (count: number, ms: number) => Math.round((count * 1000) / ms);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** (a) Baileys alone, keys in memory: time from the first send to the last upsert. */
async function decryptCeiling(sim: SimProcess): Promise<Map<string, number>> {
  const sock = makeWASocket({ auth: { creds: initAuthCreds(), keys: memoryKeyStore() }, logger: silent, waWebSocketUrl: sim.url, markOnlineOnConnect: false, shouldSyncHistoryMessage: () => false });
  let received = 0;
  let lastAt = 0;
  let onCount: (() => void) | null = null;
  let target = Infinity;
  sock.ev.on('messages.upsert', ({ messages }) => {
    received += messages.length;
    lastAt = now();
    if (received >= target) onCount?.();
  });
  const open = new Promise<void>((resolve) => {
    sock.ev.on('connection.update', async (u) => {
      if (u.qr) await sim.ask({ kind: 'pair', qr: u.qr });
      if (u.connection === 'open') resolve();
    });
  });
  await open;
  const results = new Map<string, number>();
  for (const size of SIZES) {
    for (const chats of CHATS) {
      received = 0;
      target = size;
      const done = new Promise<void>((resolve) => (onCount = resolve));
      const sent = (await sim.ask({ kind: 'burst', count: size, chats })) as { startedAt: number };
      await done;
      results.set(`${size}/${chats}`, rate(size, lastAt - sent.startedAt));
    }
  }
  sock.end(undefined);
  return results;
}

async function startBridge(sim: SimProcess, receiverUrl: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-bench-'));
  const env = readEnvironment({ DATA_DIR: dataDir, INGRESS_PORT: '0', API_PORT: '0', WA_WEBSOCKET_URL: sim.url });
  const bridge = new Bridge({ env, parsed: parseOptions({ webhook_enabled: true, webhook_url: receiverUrl }), logger: silent });
  const { ingressPort } = await bridge.start();
  const status = await StatusStream.open(`http://127.0.0.1:${ingressPort}/`);
  await sim.ask({ kind: 'pair', qr: await status.nextQr() });
  await status.waitForState('connected');
  return { bridge, status, dataDir };
}

async function main() {
  const sim = await SimProcess.start();
  const lines: string[] = [];
  const log = (line = '') => {
    lines.push(line);
    console.log(line);
  };

  const decrypt = await decryptCeiling(sim);

  const receiver = await TestReceiver.start();
  const { bridge, status, dataDir } = await startBridge(sim, receiver.url);
  const idleRss = process.memoryUsage().rss;

  // (c) the full durable path, and the bodies it sent for (b).
  const full = new Map<string, number>();
  const bodies = new Map<string, string[]>();
  for (const size of SIZES) {
    for (const chats of CHATS) {
      const before = receiver.requests.length;
      const sent = (await sim.ask({ kind: 'burst', count: size, chats })) as { startedAt: number };
      await receiver.waitForCount(before + size, 600_000);
      full.set(`${size}/${chats}`, rate(size, receiver.requests.at(-1)!.at - sent.startedAt));
      bodies.set(`${size}/${chats}`, receiver.requests.slice(before).map((r) => r.body));
    }
  }

  // (b) a plain keep-alive POST loop of the same bodies, as many in parallel as the bridge would.
  const http = new Map<string, number>();
  const client = createHttpClient();
  for (const [key, list] of bodies) {
    const chats = Number(key.split('/')[1]);
    const lanes = Math.min(chats, DISPATCH_CONCURRENCY);
    const started = now();
    let next = 0;
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (next < list.length) await postJson(client, receiver.url, list[next++]!, {});
    }));
    http.set(key, rate(list.length, now() - started));
  }

  // Latency at a steady 50 msg/s, from the simulator's send to the receiver's receipt.
  const steadyFrom = receiver.requests.length;
  await sim.ask({ kind: 'steady', count: STEADY_COUNT, chats: 10, rate: 50 });
  await receiver.waitForCount(steadyFrom + STEADY_COUNT, 120_000);
  const latencies = receiver.requests.slice(steadyFrom).map((r) => performance.timeOrigin - performance.timeOrigin + r.at - sentAtOf(r.json.content));

  // The window between Baileys' delivery receipt and the outbox commit.
  const receipts = ((await sim.ask({ kind: 'receipts' })) as { at: Record<string, number> }).at;
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  const windows = db.prepare<[], { id: string; seen_at: number }>('SELECT id, seen_at FROM seen_messages').all()
    .filter((r) => receipts[r.id] !== undefined)
    .map((r) => r.seen_at - receipts[r.id]!);
  db.close();

  // Memory with the receiver down and 50,000 messages queued, then after the drain.
  await receiver.close();
  const drained = receiver.requests.length;
  await sim.ask({ kind: 'burst', count: QUEUED, chats: 10 });
  await status.waitFor((s) => s.webhook.counters.queued >= QUEUED, 900_000, 'queued');
  global.gc?.();
  const queuedRss = process.memoryUsage().rss;
  const drainStart = now();
  await receiver.listen();
  await receiver.waitForCount(drained + QUEUED, 900_000);
  const drainMs = now() - drainStart;
  global.gc?.();
  const drainedRss = process.memoryUsage().rss;

  log(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${mb(totalmem())} MiB RAM, Node ${process.version}. Run: \`npm run bench${quick ? ' -- --quick' : ''}\`, ${new Date().toISOString().slice(0, 10)}.`);
  log();
  log('| messages | chats | (a) decrypt ceiling msg/s | (b) HTTP ceiling msg/s | (c) full durable path msg/s | (c) / min(a, b) |');
  log('|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) {
    for (const chats of CHATS) {
      const key = `${size}/${chats}`;
      const ceiling = Math.min(decrypt.get(key)!, http.get(key)!);
      log(`| ${size} | ${chats} | ${decrypt.get(key)} | ${http.get(key)} | ${full.get(key)} | ${Math.round((100 * full.get(key)!) / ceiling)}% |`);
    }
  }
  log();
  log(`Latency at a steady 50 msg/s (${STEADY_COUNT} messages, 10 chats), simulator send to receiver receipt: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms.`);
  log(`Receipt-to-commit window (delivery receipt seen by the simulator -> row committed, ${windows.length} messages): p50 ${percentile(windows, 50).toFixed(0)} ms, p99 ${percentile(windows, 99).toFixed(0)} ms, max ${Math.max(...windows).toFixed(0)} ms.`);
  log(`RSS: idle after pairing ${mb(idleRss)} MB; with ${QUEUED} messages queued (receiver down) ${mb(queuedRss)} MB (+${mb(queuedRss - idleRss)} MB); after the drain (${(drainMs / 1000).toFixed(0)} s, ${rate(QUEUED, drainMs)} msg/s) ${mb(drainedRss)} MB.`);

  status.close();
  await bridge.stop();
  await receiver.close();
  await sim.ask({ kind: 'stop' }).catch(() => undefined);
  process.exit(0);
}

await main();
