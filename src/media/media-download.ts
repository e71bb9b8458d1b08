import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';

/** Why a download did not end in a saved file; `kind` decides what happens next. */
export class MediaFailure extends Error {
  constructor(
    readonly kind: 'expired' | 'network' | 'disk' | 'too-large' | 'checksum',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Downloads one media message through Baileys' own path (stream mode) into `target`: streamed
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
    const stream = await downloadMediaMessage(source, 'stream', {});
    await mkdir(dirname(target), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limits.maxBytes) return done(tooLarge(limits.maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(stream, meter, createWriteStream(temp));
    const sha256 = hash.digest('hex');
    if (limits.sha256 && sha256 !== limits.sha256) throw new MediaFailure('checksum', 'download failed: the file did not match its checksum');
    await rename(temp, target);
    return { size, sha256 };
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw asFailure(error);
  }
}

export function tooLarge(maxBytes: number): MediaFailure {
  return new MediaFailure('too-large', `too large: over media_max_size (${Math.round(maxBytes / 1024 / 1024)} MB)`);
}

function asFailure(error: unknown): MediaFailure {
  if (error instanceof MediaFailure) return error;
  const e = error as { output?: { statusCode?: number }; code?: string; message?: string };
  const status = e?.output?.statusCode;
  if (status === 404 || status === 410) return new MediaFailure('expired', `expired: the media host answered ${status}`);
  if (typeof status === 'number') return new MediaFailure('network', `download failed: the media host answered ${status}`);
  if (e?.code === 'ENOSPC') return new MediaFailure('disk', 'disk full: no space left in the media folder');
  if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST'].includes(e?.code ?? '')) return new MediaFailure('disk', 'the media folder is not writable');
  return new MediaFailure('network', `download failed: ${e?.message ?? String(error)}`);
}
