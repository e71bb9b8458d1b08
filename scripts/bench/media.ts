/**
 * The media stage of `npm run bench`: the built bridge against its own simulator with the HTTPS
 * media host (trusted through NODE_EXTRA_CA_CERTS, as in the tests). Measures a burst of 100
 * photos from receipt of the first to delivery of the last, and the bridge's RSS while one
 * 100 MB video is downloaded (sampled every 20 ms, against the RSS just before).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';

const PHOTOS = 100;
const PHOTO_BYTES = 150 * 1024;
const VIDEO_BYTES = 100 * 1024 * 1024;

export interface MediaFigures {
  photos: number;
  photosPerSecond: number;
  videoMb: number;
  videoSeconds: number;
  rssBeforeMb: number;
  rssPeakGrowthMb: number;
}

export async function benchMedia(progress: (what: string) => void, nodeArgs: string[]): Promise<MediaFigures> {
  const sim = await WaSimulator.start({ media: true });
  const receiver = await TestReceiver.start();
  const bridge = await BridgeProcess.start({
    built: true,
    nodeArgs,
    waUrl: sim.url,
    env: { NODE_EXTRA_CA_CERTS: sim.media!.caFile },
    options: { webhook_enabled: true, webhook_url: receiver.url, media_folder: mkdtempSync(join(tmpdir(), 'wab-bench-media-')), media_max_size: 128 },
  });
  const status = await StatusStream.open(bridge.ingressUrl);
  try {
    await sim.pairWithQr(await status.nextQr());
    await status.waitForState('connected');
    const alice = sim.contact({ phone: '4917610000099', pushName: 'Bench media' });
    await sim.sendText(alice, 'warm-up');
    await receiver.waitForCount(1, 30_000);

    progress(`media: ${PHOTOS} photos`);
    const photos = Array.from({ length: PHOTOS }, () => randomBytes(PHOTO_BYTES));
    const started = performance.now();
    for (const data of photos) await sim.sendMedia(alice, { kind: 'image', data, mimetype: 'image/jpeg' });
    await receiver.waitForCount(1 + PHOTOS, 300_000);
    const photosMs = performance.now() - started;

    progress('media: a 100 MB video');
    const video = randomBytes(VIDEO_BYTES);
    const rssBefore = bridge.rss();
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, bridge.rss())), 20);
    const videoStarted = performance.now();
    await sim.sendMedia(alice, { kind: 'video', data: video });
    await receiver.waitForCount(2 + PHOTOS, 300_000);
    clearInterval(sampler);
    const videoSeconds = (performance.now() - videoStarted) / 1000;
    const saved = receiver.accepted.at(-1)?.media;
    if (!saved?.path || saved.size !== VIDEO_BYTES) throw new Error(`the video was not saved: ${JSON.stringify(saved)}`);
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    return {
      photos: PHOTOS,
      photosPerSecond: Math.round((PHOTOS * 1000) / photosMs),
      videoMb: mb(VIDEO_BYTES),
      videoSeconds,
      rssBeforeMb: mb(rssBefore),
      rssPeakGrowthMb: mb(peak - rssBefore),
    };
  } finally {
    status.close();
    await bridge.kill('SIGTERM');
    await receiver.close();
    await sim.stop();
  }
}
