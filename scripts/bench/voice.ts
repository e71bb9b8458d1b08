/**
 * The voice stage of `npm run bench` (`-- --voice-only` runs just this): voice notes as text
 * (issue #17). The built bridge under a fake Supervisor whose speech-to-text engine answers at
 * once (a stand-in for Home Assistant Cloud or Whisper, so what is timed is the bridge's own
 * work), fed real Ogg Opus voice notes made by opusenc:
 *  - from a voice note's arrival (the simulator sends it) to its delivery at the receiver, median
 *    over `runs` notes each: not transcribed (an audio file that is not a voice note: download
 *    and save only), the Ogg engine (the file goes as it is), the PCM engine (decoded to 16 kHz);
 *  - the bridge's RSS while one 60 s voice note goes to the PCM engine (sampled every 20 ms);
 *  - the decoder alone in a small process (`node --max-semi-space-size=1`, as run.sh starts the
 *    bridge): peak growth of RSS, heap and arrayBuffers while it decodes a 60 s voice note.
 *
 * The bridge is paired as a plain process first, then started again with the Supervisor's
 * variables (under them its page answers only the ingress proxy).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import { fakeSttSupervisor, OGG_ENGINE, PCM_ENGINE } from '../../simulator/harness/fake-stt-supervisor.js';
import { encodeVoiceNote, opusenc, tonesPcm } from '../../simulator/harness/voice-note.js';

const ENTITY = 'stt.bench_engine';
/** A typical voice note: 8 s. */
const NOTE_TONES = [300, 450, 600, 750, 900, 1050, 1200, 1350];
const LONG_SECONDS = 60;

export interface VoiceFigures {
  runs: number;
  noteSeconds: number;
  noteKb: number;
  medianMs: { plain: number; ogg: number; pcm: number };
  /** One 60 s note to the PCM engine; RSS from before the bridge's first decode to the peak over all PCM notes. */
  long: { kb: number; pcmMs: number; rssBeforeMb: number; rssPeakGrowthMb: number };
  /** The first decode (loads and compiles the decoder) and a second one. */
  decoder: { cold: DecodeFigures; warm: DecodeFigures };
}

export interface DecodeFigures {
  ms: number;
  rssMb: number;
  heapMb: number;
  arrayBuffersMb: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function benchVoice(progress: (what: string) => void, runs: number): Promise<VoiceFigures> {
  if (!opusenc.available) throw new Error(`the voice benchmark ${opusenc.skip}`);
  const note = encodeVoiceNote(tonesPcm(NOTE_TONES, 1));
  const long = encodeVoiceNote(
    tonesPcm(
      Array.from({ length: LONG_SECONDS }, (_, i) => 300 + 50 * (i % 20)),
      1,
    ),
  );
  const decoder = await decoderMemory(long);

  const stt = await fakeSttSupervisor({ language: 'en' });
  const sim = await WaSimulator.start({ media: true });
  const receiver = await TestReceiver.start();
  const options = {
    webhook_enabled: true,
    webhook_url: receiver.url,
    media_folder: mkdtempSync(join(tmpdir(), 'wab-bench-voice-')),
    voice_to_text: ENTITY,
  };
  const trust = { NODE_EXTRA_CA_CERTS: sim.media!.caFile };
  let bridge = await BridgeProcess.start({ built: true, waUrl: sim.url, env: trust, options });
  const status = await StatusStream.open(bridge.ingressUrl);
  try {
    await sim.pairWithQr(await status.nextQr());
    await status.waitForState('connected');
  } finally {
    status.close();
  }
  await bridge.kill('SIGTERM');
  bridge = await BridgeProcess.start({ built: true, waUrl: sim.url, dataDir: bridge.dataDir, env: { ...trust, ...stt.env }, options });
  try {
    await bridge.waitForLog(/Connected to WhatsApp/, 30_000);
    const alice = sim.contact({ phone: '4917610000077', pushName: 'Bench voice' });
    await sim.sendText(alice, 'warm-up');
    await receiver.waitForCount(1, 30_000);

    /** One voice note (or audio file) from the send to its delivery, in ms. */
    const deliver = async (data: Buffer, ptt: boolean): Promise<number> => {
      const count = receiver.requests.length;
      const started = Date.now();
      const { id } = await sim.sendMedia(alice, { kind: 'audio', data, ptt });
      await receiver.waitFor(() => receiver.requests.length > count, 120_000, `delivery of ${id}`);
      const request = receiver.requests.find((r) => r.json?.id === id);
      if (!request) throw new Error(`${id} was not delivered`);
      if (ptt && request.json.media.transcript === null) throw new Error(`no transcript: ${request.json.media.transcript_error}`);
      return request.at - started;
    };
    const timings = async (what: string, ptt: boolean) => {
      progress(`voice: ${runs} × ${what}`);
      await deliver(note, ptt); // warm-up: the first decode loads the decoder
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await deliver(note, ptt));
      return median(ms);
    };

    stt.engine(ENTITY, { capabilities: OGG_ENGINE, text: 'bench' });
    const plain = await timings('not transcribed (an audio file)', false);
    const ogg = await timings('the Ogg engine', true);
    stt.engine(ENTITY, { capabilities: PCM_ENGINE, text: 'bench' });
    const rssBefore = bridge.rss();
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, bridge.rss())), 20);
    let pcm: number;
    let pcmMs: number;
    try {
      pcm = await timings('the PCM engine', true);
      progress(`voice: one ${LONG_SECONDS} s voice note to the PCM engine`);
      pcmMs = await deliver(long, true);
    } finally {
      clearInterval(sampler);
    }
    return {
      runs,
      noteSeconds: NOTE_TONES.length,
      noteKb: Math.round(note.length / 1024),
      medianMs: { plain, ogg, pcm },
      long: { kb: Math.round(long.length / 1024), pcmMs, rssBeforeMb: mb(rssBefore), rssPeakGrowthMb: mb(peak - rssBefore) },
      decoder,
    };
  } finally {
    await bridge.kill('SIGTERM');
    await receiver.close();
    await sim.stop();
    await stt.close();
  }
}

/** The decoder alone, in a child that samples process.memoryUsage() every 5 ms while it decodes `file`. */
async function decoderMemory(file: Buffer): Promise<VoiceFigures['decoder']> {
  const dir = mkdtempSync(join(tmpdir(), 'wab-bench-decode-'));
  const path = join(dir, 'note.ogg');
  writeFileSync(path, file);
  const out = join(dir, 'figures.json');
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--v8-pool-size=1', '--import', 'tsx', import.meta.filename, '--decode-child', path, out], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`the decoder child exited with ${code}`);
  return JSON.parse(readFileSync(out, 'utf8')) as VoiceFigures['decoder'];
}

async function decodeChild(path: string, out: string): Promise<void> {
  const file = readFileSync(path);
  const { decodeOggOpus } = await import('../../src/stt/opus-pcm.js');
  /** One decode, with the peak growth over the memory just before it. */
  const measured = async (): Promise<DecodeFigures> => {
    const start = process.memoryUsage();
    const peak = { rss: 0, heapUsed: 0, arrayBuffers: 0 };
    const sample = () => {
      const now = process.memoryUsage();
      for (const key of Object.keys(peak) as (keyof typeof peak)[]) peak[key] = Math.max(peak[key], now[key] - start[key]);
    };
    const sampler = setInterval(sample, 5);
    const started = performance.now();
    const decoded = await decodeOggOpus(file, 16000);
    const ms = Math.round(performance.now() - started);
    clearInterval(sampler);
    sample();
    if (decoded.samples < LONG_SECONDS * 16000 * 0.99) throw new Error(`decoded only ${decoded.samples} samples`);
    return { ms, rssMb: mb(peak.rss), heapMb: mb(peak.heapUsed), arrayBuffersMb: mb(peak.arrayBuffers) };
  };
  const cold = await measured();
  const warm = await measured();
  writeFileSync(out, JSON.stringify({ cold, warm }));
}

if (process.argv[2] === '--decode-child') await decodeChild(process.argv[3]!, process.argv[4]!);
