import { setImmediate as nextTurn } from 'node:timers/promises';

/** The rates libopus decodes to natively, without resampling. */
export type OpusRate = 8000 | 12000 | 16000 | 24000 | 48000;

/** About 6 s of a WhatsApp voice note (16-24 kbit/s) per step, so a long note never blocks the event loop for long. */
const CHUNK_BYTES = 16 * 1024;

export interface DecodedPcm {
  /** Signed 16-bit little-endian mono samples. */
  pcm: Buffer;
  sampleRate: OpusRate;
  samples: number;
}

/**
 * Decodes an Ogg Opus file to 16-bit mono PCM with `ogg-opus-decoder` (libopus and libopusfile
 * in WebAssembly, no ffmpeg in the image). libopus decodes straight to `sampleRate`, so there is
 * no resampler; the Opus pre-skip and the end trim come from the file's own granule positions.
 * Loaded on the first decode, so an app that never transcribes never holds the decoder.
 */
export async function decodeOggOpus(file: Uint8Array, sampleRate: OpusRate = 16000, signal?: AbortSignal): Promise<DecodedPcm> {
  const { OggOpusDecoder } = await import('ogg-opus-decoder');
  // `sampleRate` is a documented option that the package's types do not list.
  const settings = { sampleRate, forceStereo: false };
  const decoder = new OggOpusDecoder(settings);
  try {
    await decoder.ready;
    const parts: Buffer[] = [];
    let samples = 0;
    let errors = 0;
    const take = (decoded: { channelData: Float32Array[]; samplesDecoded: number; errors: unknown[] }) => {
      errors += decoded.errors.length;
      if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) return;
      parts.push(toMonoS16(decoded.channelData, decoded.samplesDecoded));
      samples += decoded.samplesDecoded;
    };
    for (let offset = 0; offset < file.length; offset += CHUNK_BYTES) {
      signal?.throwIfAborted();
      take(await decoder.decode(file.subarray(offset, offset + CHUNK_BYTES)));
      await nextTurn();
    }
    take(await decoder.flush());
    if (samples === 0) throw new Error(errors > 0 ? `the voice note could not be decoded (${errors} damaged frames)` : 'the voice note holds no audio');
    return { pcm: Buffer.concat(parts), sampleRate, samples };
  } finally {
    decoder.free();
  }
}

/** Float samples of each channel averaged to one, clipped, as s16le. */
function toMonoS16(channels: Float32Array[], count: number): Buffer {
  const out = Buffer.allocUnsafe(count * 2);
  const scale = 1 / channels.length;
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i]!;
    const v = Math.max(-1, Math.min(1, sum * scale));
    out.writeInt16LE(Math.round(v < 0 ? v * 0x8000 : v * 0x7fff), i * 2);
  }
  return out;
}
