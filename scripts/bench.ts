/**
 * npm run bench [-- --quick]
 *
 * Measures, in one run on this machine, each part in its own process as in production:
 *  (a) the decrypt ceiling: simulator -> Baileys with Signal keys in memory, nothing persisted or forwarded;
 *  (b) the HTTP ceiling: a plain keep-alive POST loop of the same payloads to the same receiver;
 *  (c) the full durable path: the built bridge (dist/main.js: SQLite keys + outbox + HTTP);
 * for 1,000 and 5,000 messages over 1 and 10 chats, with the CPU time (a) and (c) spent per
 * message; then latency at a steady 50 msg/s, how far each commit precedes its delivery receipt,
 * and the bridge's RSS idle / with 50,000 queued / after the drain; then media (scripts/bench/media.ts):
 * 100 photos, and the RSS growth while a 100 MB video arrives (`-- --media-only` runs just that);
 * then what is written per message and spent at rest (scripts/bench/writes.ts, `-- --writes-only`);
 * then voice notes as text (scripts/bench/voice.ts, `-- --voice-only`): arrival to delivery with
 * an Ogg and a PCM engine stand-in, and the decoder's memory on a 60 s voice note; then idle RSS
 * without and with an MQTT broker connected (scripts/bench/idle.ts, `-- --idle-only`); then a
 * storm of 5,000 undecryptable messages: time, RSS, log lines (scripts/bench/storm.ts, `-- --storm-only`).
 * Prints Markdown for docs/performance.md.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../src/state/database.js';
import { BridgeProcess } from '../simulator/harness/bridge-process.js';
import { TestReceiver } from '../simulator/harness/receiver.js';
import { StatusStream } from '../simulator/harness/status-stream.js';
import { benchMedia, type MediaFigures } from './bench/media.js';
import { benchVoice, type VoiceFigures } from './bench/voice.js';
import { benchWrites, io, type Io, type WriteFigures } from './bench/writes.js';
import { sentAtOf, type SimCommand, type SimReply } from './bench/protocol.js';
import { benchIdle, type IdleResult } from './bench/idle.js';
import { benchStorm, type StormFigures } from './bench/storm.js';
import { sleep } from '../simulator/waits.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [200, 500] : [1000, 5000];
const CHATS = [1, 10];
const QUEUED = quick ? 5_000 : 50_000;
const QUEUE_CHUNK = 1000;
const STEADY_COUNT = quick ? 250 : 1000;
const DISPATCH_CONCURRENCY = 4; // the bridge's default number of chats delivered in parallel
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const progress = (what: string) => process.stderr.write(`[bench] ${what}\n`);

/** A child process that answers IPC messages. */
class Worker {
  constructor(readonly child: ChildProcess) {}

  next<T>(kind: string): Promise<T> {
    return new Promise((resolve) => {
      const listener = (m: { kind: string }) => {
        if (m.kind !== kind) return;
        this.child.off('message', listener);
        resolve(m as T);
      };
      this.child.on('message', listener);
    });
  }

  send(message: object): void {
    this.child.send(message);
  }
}

const rate = (count: number, ms: number) => Math.round((count * 1000) / ms);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const key = (size: number, chats: number) => `${size}/${chats}`;
/** KB written and write calls per message between two readings of /proc/<pid>/io. */
const writesPer = (before: Io, after: Io, count: number) =>
  `${((after.writeBytes - before.writeBytes) / 1024 / count).toFixed(1)} KB, ${((after.writeCalls - before.writeCalls) / count).toFixed(1)}`;
/** CPU time (user + system) a process has used so far, in ms, from /proc. */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
};
const SETTLE_MS = 30_000;
/** RSS after SETTLE_MS of quiet: V8's memory reducer returns what a burst left once allocation stops. */
async function settledRss(rss: () => number): Promise<number> {
  await sleep(SETTLE_MS);
  return rss();
}

async function main() {
  progress('building dist/');
  if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  const sim = new Worker(fork(here('./bench/sim-worker.ts'), { execArgv: ['--import', 'tsx'] }));
  const { url: simUrl } = await sim.next<{ url: string }>('ready');
  const ask = async (command: SimCommand) => {
    const reply = sim.next<SimReply>(command.kind === 'pair' ? 'done' : command.kind === 'receipts' ? 'receipts' : 'sent');
    sim.send(command);
    return reply;
  };

  // (a) Baileys alone.
  const client = new Worker(fork(here('./bench/decrypt-client.mjs'), [simUrl]));
  client.next<{ qr: string }>('qr').then(({ qr }) => ask({ kind: 'pair', qr }));
  await client.next('open');
  // Measure steady state: every contact has a Signal session before the clock starts.
  client.send({ kind: 'expect', count: 10, tag: 'warm-up' });
  const warmedUp = client.next('received');
  await ask({ kind: 'burst', count: 10, chats: 10, tag: 'warm-up' });
  await warmedUp;
  const decrypt = new Map<string, number>();
  const decryptCpu = new Map<string, number>();
  const writes = new Map<string, { a: string; b: string; c: string }>();
  for (const size of SIZES) {
    for (const chats of CHATS) {
      progress(`(a) ${size} messages over ${chats} chat(s)`);
      const tag = `a${size}x${chats}`;
      client.send({ kind: 'expect', count: size, tag });
      const received = client.next<{ at: number }>('received');
      const cpuBefore = cpuMs(client.child.pid!);
      const ioBefore = io(client.child.pid!);
      const sent = (await ask({ kind: 'burst', count: size, chats, tag })) as { startedAt: number };
      decrypt.set(key(size, chats), rate(size, (await received).at - sent.startedAt));
      decryptCpu.set(key(size, chats), (cpuMs(client.child.pid!) - cpuBefore) / size);
      writes.set(key(size, chats), { a: writesPer(ioBefore, io(client.child.pid!), size), b: '', c: '' });
    }
  }
  client.child.kill();

  // (c) the built bridge. The receiver counts each burst's messages as they arrive (per tag), so
  // waiting costs nothing per request.
  const receiver = await TestReceiver.start();
  const arrivals = new Map<string, { count: number; lastAt: number; bodies: string[] }>();
  receiver.respondWith((r) => {
    const tag = /^burst:([^:]+):/.exec(r.json?.content ?? '')?.[1];
    if (tag) {
      const entry = arrivals.get(tag) ?? { count: 0, lastAt: 0, bodies: [] };
      entry.count++;
      entry.lastAt = r.at;
      entry.bodies.push(r.body);
      arrivals.set(tag, entry);
    }
    return { status: 200 };
  });
  const arrived = (tag: string) => arrivals.get(tag) ?? { count: 0, lastAt: 0, bodies: [] };
  // BENCH_NODE_ARGS, e.g. "--cpu-prof", passes flags to the bridge's node for profiling.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const bridge = await BridgeProcess.start({ built: true, nodeArgs, waUrl: simUrl, options: { webhook_enabled: true, webhook_url: receiver.url } });
  const status = await StatusStream.open(bridge.ingressUrl);
  await ask({ kind: 'pair', qr: await status.nextQr() });
  await status.waitForState('connected');
  await ask({ kind: 'burst', count: 10, chats: 10, tag: 'warm-up' });
  await receiver.waitFor(() => arrived('warm-up').count >= 10, 60_000, 'warm-up');
  const idleRss = bridge.rss();
  const full = new Map<string, number>();
  const fullCpu = new Map<string, number>();
  const bodies = new Map<string, string[]>();
  for (const size of SIZES) {
    for (const chats of CHATS) {
      progress(`(c) ${size} messages over ${chats} chat(s)`);
      const tag = `c${size}x${chats}`;
      const cpuBefore = cpuMs(bridge.child.pid!);
      const ioBefore = io(bridge.child.pid!);
      const sent = (await ask({ kind: 'burst', count: size, chats, tag })) as { startedAt: number };
      await receiver.waitFor(() => arrived(tag).count >= size, 600_000, `burst ${tag}`);
      writes.get(key(size, chats))!.c = writesPer(ioBefore, io(bridge.child.pid!), size);
      full.set(key(size, chats), rate(size, arrived(tag).lastAt - sent.startedAt));
      fullCpu.set(key(size, chats), (cpuMs(bridge.child.pid!) - cpuBefore) / size);
      bodies.set(key(size, chats), arrived(tag).bodies);
    }
  }

  // (b) the same bodies, a plain POST loop.
  const http = new Map<string, number>();
  for (const [k, list] of bodies) {
    progress(`(b) ${k}`);
    const file = join(mkdtempSync(join(tmpdir(), 'wab-bench-')), 'bodies.json');
    writeFileSync(file, JSON.stringify(list));
    const lanes = Math.min(Number(k.split('/')[1]), DISPATCH_CONCURRENCY);
    const loop = new Worker(fork(here('./bench/post-loop.mjs'), [receiver.url, file, String(lanes)]));
    const ioBefore = io(loop.child.pid!);
    const done = loop.next<{ ms: number }>('done');
    http.set(k, rate(list.length, (await done).ms));
    writes.get(k)!.b = writesPer(ioBefore, io(loop.child.pid!), list.length);
    loop.send({ kind: 'quit' });
  }

  progress('latency at 50 msg/s');
  const steadyFrom = receiver.requests.length;
  await ask({ kind: 'steady', count: STEADY_COUNT, chats: 10, rate: 50 });
  await receiver.waitForCount(steadyFrom + STEADY_COUNT, 120_000);
  const latencies = receiver.requests.slice(steadyFrom).map((r) => r.at - sentAtOf(r.json.content));

  const receipts = ((await ask({ kind: 'receipts' })) as { at: Record<string, number> }).at;
  const db = new Database(join(bridge.dataDir, DATABASE_FILE), { readonly: true });
  // How long before the simulator got each message's delivery receipt the outbox row was committed.
  const margins = db
    .prepare<[], { id: string; seen_at: number }>('SELECT id, seen_at FROM seen_messages')
    .all()
    .filter((r) => receipts[r.id] !== undefined)
    .map((r) => receipts[r.id]! - r.seen_at);
  db.close();

  progress(`${QUEUED} messages while the receiver is down`);
  await receiver.close();
  // In chunks, each committed before the next: what the queue costs, not a decrypt backlog.
  for (let sent = 0; sent < QUEUED; sent += QUEUE_CHUNK) {
    await ask({ kind: 'burst', count: QUEUE_CHUNK, chats: 10, tag: 'queued' });
    await status.waitFor((s) => s.webhook.counters.queued >= sent + QUEUE_CHUNK, 900_000, 'queued');
  }
  const queuedRss = bridge.rss();
  const queuedSettledRss = await settledRss(() => bridge.rss());
  const drainStart = Date.now();
  await receiver.listen();
  await receiver.waitFor(() => arrived('queued').count >= QUEUED, 900_000, 'drain');
  // The first deliveries wait for each chat's next retry time; the drain rate counts from the first.
  const firstDelivery = receiver.requests.find((r) => r.at >= drainStart)!.at;
  const backOnlineMs = firstDelivery - drainStart;
  const drainMs = arrived('queued').lastAt - firstDelivery;
  const drainedRss = bridge.rss();
  const drainedSettledRss = await settledRss(() => bridge.rss());

  const out = (line = '') => console.log(line);
  out(
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${mb(totalmem())} MiB RAM, Node ${process.version}. Command: \`npm run bench${quick ? ' -- --quick' : ''}\`, ${new Date().toISOString().slice(0, 10)}.`,
  );
  out();
  out(
    '| messages | chats | (a) decrypt ceiling msg/s | (b) HTTP ceiling msg/s | (c) full durable path msg/s | (c) / min(a, b) | CPU ms per message (a) / (c) | written, write calls per message (a) / (b) / (c) |',
  );
  out('|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const size of SIZES) {
    for (const chats of CHATS) {
      const k = key(size, chats);
      out(
        `| ${size} | ${chats} | ${decrypt.get(k)} | ${http.get(k)} | ${full.get(k)} | ${Math.round((100 * full.get(k)!) / Math.min(decrypt.get(k)!, http.get(k)!))}% | ${decryptCpu.get(k)!.toFixed(2)} / ${fullCpu.get(k)!.toFixed(2)} | ${writes.get(k)!.a} / ${writes.get(k)!.b} / ${writes.get(k)!.c} |`,
      );
    }
  }
  out();
  out(
    `- Latency at a steady 50 msg/s (${STEADY_COUNT} messages over 10 chats), simulator send to receiver receipt: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms.`,
  );
  const committedFirst = margins.filter((m) => m > 0).length;
  out(
    `- Commit before receipt (outbox commit -> the simulator gets Baileys' delivery receipt; ${margins.length} messages): the commit came first for ${committedFirst} of ${margins.length}; margin p50 ${percentile(margins, 50).toFixed(1)} ms, smallest ${Math.min(...margins).toFixed(1)} ms.`,
  );
  const growth = (rss: number) => `${rss >= idleRss ? '+' : ''}${mb(rss - idleRss)} MB`;
  out(
    `- Bridge RSS: idle after pairing ${mb(idleRss)} MB; with ${QUEUED.toLocaleString('en')} messages queued (receiver down) ${mb(queuedRss)} MB (${growth(queuedRss)}) right after the last commit, ${mb(queuedSettledRss)} MB (${growth(queuedSettledRss)}) ${SETTLE_MS / 1000} s later; after the drain ${mb(drainedRss)} MB, ${mb(drainedSettledRss)} MB ${SETTLE_MS / 1000} s later. The drain started ${(backOnlineMs / 1000).toFixed(1)} s after the receiver came back (the retry schedule) and ran at ${rate(QUEUED, drainMs)} msg/s.`,
  );

  status.close();
  await bridge.kill('SIGTERM');
  await receiver.close();
  sim.send({ kind: 'stop' } satisfies SimCommand);
  printMedia(await benchMedia(progress, nodeArgs));
  printWrites(await benchWrites(progress, { ...writeRuns, nodeArgs }));
  printVoice(await benchVoice(progress, voiceRuns));
  printIdle(await benchIdle(progress, quick ? 1 : 3));
  printStorm(await benchStorm(progress, STORM_MESSAGES));
  process.exit(0);
}

function printMedia(m: MediaFigures): void {
  console.log(
    `- Media (a bridge of its own, the simulator's HTTPS media host on 127.0.0.1): ${m.photos} photos of 150 kB, each downloaded, hashed and saved before its message is delivered: ${m.photosPerSecond} msg/s; one ${m.videoMb} MB video arrived in ${m.videoSeconds.toFixed(1)} s while the bridge's RSS rose by at most ${m.rssPeakGrowthMb} MB (from ${m.rssBeforeMb} MB, sampled every 20 ms).`,
  );
}

function printWrites(w: WriteFigures): void {
  const line = (what: string, p: WriteFigures['burst']) =>
    `${what} (${p.messages} messages into one chat): ${p.kbPerMessage} KB written and ${p.writeCallsPerMessage} write calls per message`;
  console.log(
    `- Writes, from /proc/<pid>/io (write_bytes, syscw) with the data folder on ext4: ${line('a burst', w.burst)}; ${line('a trickle at 1 msg/s', w.trickle)}. At rest: ${w.idleCpuSecondsPerHour} CPU seconds per hour (measured over ${w.idleSeconds} s), RSS ${w.idleRssMb} MB.`,
  );
}

function printVoice(v: VoiceFigures): void {
  const d = (f: VoiceFigures['decoder']['cold']) => `${f.ms} ms, RSS +${f.rssMb} MB, heap +${f.heapMb} MB, arrayBuffers +${f.arrayBuffersMb} MB`;
  console.log(
    `- Voice notes as text (the built bridge, a speech-to-text stand-in that answers at once; ${v.runs} voice notes of ${v.noteSeconds} s, ${v.noteKb} kB each): arrival to delivery, median ${v.medianMs.plain} ms not transcribed (an audio file: download and save), ${v.medianMs.ogg} ms with the Ogg engine (the file as it is), ${v.medianMs.pcm} ms with the PCM engine (decoded to 16 kHz). One ${v.long.kb} kB 60 s voice note to the PCM engine: ${v.long.pcmMs} ms. The bridge's RSS over all PCM notes (its first decode loads the decoder) rose by at most ${v.long.rssPeakGrowthMb} MB from ${v.long.rssBeforeMb} MB (sampled every 20 ms). The decoder alone on it (\`node --max-semi-space-size=1\`): first decode ${d(v.decoder.cold)}; second ${d(v.decoder.warm)}.`,
  );
}

const voiceRuns = quick ? 5 : 15;

function printIdle(r: IdleResult): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const broker = r.withBrokerMb.length
    ? `; with an MQTT broker connected (Home Assistant entities published) ${r.withBrokerMb.join(', ')} MB, median ${median(r.withBrokerMb)} MB (+${(median(r.withBrokerMb) - median(r.plainMb)).toFixed(1)} MB)`
    : ' (no mosquitto here: the MQTT variant was not measured)';
  console.log(`- Idle RSS of the built bridge 45 s after pairing, ${r.rounds} rounds: ${r.plainMb.join(', ')} MB, median ${median(r.plainMb)} MB${broker}.`);
}

const writeRuns = { burst: quick ? 300 : 1000, trickle: quick ? 20 : 60, idleSeconds: quick ? 30 : 60, nodeArgs: [] };

function printStorm(f: StormFigures): void {
  console.log(
    `- Decryption storm (the built bridge): ${f.messages.toLocaleString('en')} undecryptable messages from ${f.senders} senders, each asked for again and forwarded once its resend decrypted, in ${f.seconds} s; RSS ${f.restMb} MB at rest, ${f.peakMb} MB at the peak, ${f.settledMb} MB ${f.settleSeconds} s later; ${f.logLines} log lines.`,
  );
}

const STORM_MESSAGES = quick ? 1000 : 5000;

if (process.argv.includes('--storm-only')) {
  if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  printStorm(await benchStorm(progress, STORM_MESSAGES));
  process.exit(0);
}

if (process.argv.includes('--writes-only')) {
  if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  printWrites(await benchWrites(progress, writeRuns));
  process.exit(0);
}

if (process.argv.includes('--idle-only')) {
  if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  printIdle(await benchIdle(progress, quick ? 1 : 3));
  process.exit(0);
}

if (process.argv.includes('--voice-only')) {
  if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  printVoice(await benchVoice(progress, voiceRuns));
  process.exit(0);
}

if (process.argv.includes('--media-only')) {
  if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  printMedia(await benchMedia(progress, []));
  process.exit(0);
}
await main();
