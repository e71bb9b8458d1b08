import type { OptionReader } from './option-reader.js';

const MB = 1024 * 1024;

/** Received media: where files go, and how much is kept. */
export interface MediaOptions {
  /** false: nothing is saved, `media` holds only what the message tells. */
  readonly download: boolean;
  readonly folder: string;
  /** Larger files are not downloaded (bytes). */
  readonly maxBytes: number;
  /** Files older than this are removed (days; 0 keeps everything). */
  readonly keepDays: number;
  /** Past this total the oldest files are removed (bytes). */
  readonly maxTotalBytes: number;
  /** How long a message waits for its file before it goes with `media.pending` (`media_wait`, ms). */
  readonly waitMs: number;
}

/** `media_download`, `media_folder`, `media_max_size`, `media_keep_days`, `media_max_total`, `media_wait`. */
export function readMediaOptions(read: OptionReader): MediaOptions {
  return {
    download: read.bool('media_download', true),
    folder: read.absolutePath('media_folder', '/media/whatsapp'),
    maxBytes: read.number('media_max_size', 1, 2048, 32) * MB,
    keepDays: read.number('media_keep_days', 0, 3650, 30),
    maxTotalBytes: read.number('media_max_total', 1, 1_048_576, 2048) * MB,
    waitMs: Math.round(read.number('media_wait', 0, 600, 30) * 1000),
  };
}
