/**
 * What one 100 MB video download costs in memory inside a process, where `npm run bench` can only
 * see the bridge's RSS from outside: the simulator's media host runs here, the download in a child
 * (`node --max-semi-space-size=1`, as `run.sh` starts the bridge, trusting the host through
 * NODE_EXTRA_CA_CERTS) that samples `process.memoryUsage()` every 5 ms and prints the peak growth.
 *
 *   npx tsx scripts/bench/media-memory.ts [bridge|baileys]
 *
 * `bridge` is `downloadToFile` (src/media/media-download.ts); `baileys` is Baileys'
 * `downloadMediaMessage` stream piped to a file, as the bridge did before.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { BufferJSON, downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import { encryptMedia } from '../../simulator/media-crypto.js';
import { MediaHost } from '../../simulator/media-host.js';
import { mediaMessage } from '../../simulator/media-messages.js';

const VIDEO_BYTES = 100 * 1024 * 1024;
const variant = process.argv.find((arg) => arg === 'bridge' || arg === 'baileys') ?? 'bridge';

async function download(msg: WAMessage, target: string): Promise<void> {
  if (variant === 'baileys') {
    await pipeline(await downloadMediaMessage(msg, 'stream', {}), createWriteStream(target));
  } else {
    const { downloadToFile } = await import('../../src/media/media-download.js');
    await downloadToFile(msg, target, { maxBytes: 2 * VIDEO_BYTES, sha256: null });
  }
}

async function child(): Promise<void> {
  const msg = JSON.parse(await text(process.stdin), BufferJSON.reviver) as WAMessage;
  const dir = mkdtempSync(join(tmpdir(), 'wab-media-memory-'));
  const start = process.memoryUsage();
  const peak = { rss: 0, arrayBuffers: 0, heapUsed: 0 };
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    for (const key of Object.keys(peak) as (keyof typeof peak)[]) peak[key] = Math.max(peak[key], now[key] - start[key]);
  }, 5);
  try {
    await download(msg, join(dir, 'video.mp4'));
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  console.log(`${variant}: peak growth rss ${mb(peak.rss)} MB, arrayBuffers ${mb(peak.arrayBuffers)} MB, heapUsed ${mb(peak.heapUsed)} MB`);
}

async function parent(): Promise<void> {
  const host = await MediaHost.start();
  try {
    const file = encryptMedia(randomBytes(VIDEO_BYTES), 'video');
    const message = mediaMessage({ kind: 'video', data: Buffer.alloc(0) }, file, host.store(file.encrypted, 'video'));
    const msg: WAMessage = { key: { remoteJid: '4917600000001@s.whatsapp.net', id: 'MEMORY', fromMe: false }, message };
    const worker = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', import.meta.filename, '--child', variant], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: host.caFile },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    worker.stdin.end(JSON.stringify(msg, BufferJSON.replacer));
    const [code] = await once(worker, 'exit');
    if (code !== 0) throw new Error(`the download child exited with ${code}`);
  } finally {
    await host.stop();
  }
}

await (process.argv.includes('--child') ? child() : parent());
