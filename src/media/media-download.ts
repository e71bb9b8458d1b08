import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, dirname, join } from 'node:path';
import type { WAMessage } from '@whiskeysockets/baileys';
import { openMedia, type MediaDecipher } from './media-fetch.js';
import { failureOf, MediaFailure } from './media-failure.js';
import { mediaIn } from './media-info.js';
import { MEDIA_FILE_MODE, MEDIA_FOLDER_MODE } from './private-media.js';

/** Plain bytes gathered per write: fewer writes, and the response is paused once per batch, not per chunk. */
const WRITE_BATCH_BYTES = 256 * 1024;
/** Bytes of a file between two young-generation collections while it downloads (see `scavenge`; 2 MB let a run in four reach +22 MB). */
const SCAVENGE_EVERY_BYTES = 1024 * 1024;
/**
 * V8's `gc`, there when node runs with --expose-gc (run.sh and `npm start` do). A large file's
 * 16 kB network and decipher buffers are freed only at a young collection, and those come from
 * JS allocation, which a download does little of: without one every 1 MB, a 100 MB video left
 * about 20 MB of freed buffers waiting (docs/performance.md, "A 100 MB video"). A scavenge of
 * the 1 MB young generation takes about a millisecond.
 */
const scavenge = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;

/**
 * Downloads one media message into `target`: fetched and decrypted (`media-fetch.ts`), streamed
 * through a SHA-256 and a size limit into a hidden `.part` file beside it, which is renamed
 * only when the whole file arrived and matches the checksum the sender gave.
 */
export async function downloadToFile(
  source: WAMessage,
  target: string,
  limits: { maxBytes: number; sha256: string | null },
): Promise<{ size: number; sha256: string }> {
  const temp = join(dirname(target), `.${basename(target)}.part`);
  try {
    const media = mediaIn(source);
    if (!media) throw new Error('the message carries no media');
    const { encrypted, decipher } = await openMedia(media);
    let saved: { size: number; sha256: string };
    try {
      await mkdir(dirname(target), { recursive: true, mode: MEDIA_FOLDER_MODE });
      saved = await writeDecrypted(encrypted, decipher, temp, limits.maxBytes);
    } finally {
      encrypted.destroy(); // a failure mid-file ends the connection too
    }
    if (limits.sha256 && saved.sha256 !== limits.sha256) throw new MediaFailure('checksum', 'download failed: the file did not match its checksum');
    await rename(temp, target);
    return saved;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw failureOf(error);
  }
}

/**
 * Decrypts the response into `path`, hashing and counting the plain bytes. One 'data' handler
 * rather than a chain of streams, and the response paused once per batch rather than per chunk:
 * each stream stage, each pause and each async-iterator step costs a few objects per 16 kB chunk,
 * and those that outlived a young collection piled up as old-space garbage (docs/performance.md,
 * "A 100 MB video"). Waiting for each batch's write lets the disk's pace hold back the network.
 */
async function writeDecrypted(encrypted: IncomingMessage, decipher: MediaDecipher, path: string, maxBytes: number) {
  const hash = createHash('sha256');
  let size = 0;
  const file = await open(path, 'w', MEDIA_FILE_MODE);
  try {
    await new Promise<void>((resolve, reject) => {
      let batch: Buffer[] = [];
      let batched = 0;
      let sinceScavenge = 0;
      const take = (plain: Buffer[]) => {
        for (const part of plain) {
          size += part.length;
          if (size > maxBytes) throw tooLarge(maxBytes);
          hash.update(part);
          batch.push(part);
          batched += part.length;
        }
      };
      const write = async () => {
        const parts = batch;
        sinceScavenge += batched;
        batch = [];
        batched = 0;
        await file.writev(parts);
        if (scavenge && sinceScavenge >= SCAVENGE_EVERY_BYTES) {
          sinceScavenge = 0;
          scavenge({ type: 'minor' });
        }
      };
      const fail = (error: unknown) => {
        encrypted.destroy();
        reject(error);
      };
      encrypted.on('data', (chunk: Buffer) => {
        try {
          take(decipher.update(chunk));
        } catch (error) {
          return fail(error);
        }
        if (batched < WRITE_BATCH_BYTES) return;
        encrypted.pause();
        write().then(() => encrypted.resume(), fail);
      });
      encrypted.on('end', () => {
        try {
          take([decipher.final()]);
        } catch (error) {
          return fail(error);
        }
        write().then(() => resolve(), fail);
      });
      encrypted.on('error', fail);
      encrypted.on('close', () => {
        if (!encrypted.readableEnded) fail(new Error('the connection closed before the whole file arrived'));
      });
    });
  } finally {
    await file.close();
  }
  return { size, sha256: hash.digest('hex') };
}

export function tooLarge(maxBytes: number): MediaFailure {
  return new MediaFailure('too-large', `too large: over media_max_size (${Math.round(maxBytes / 1024 / 1024)} MB)`);
}
