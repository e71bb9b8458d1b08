// Real voice notes for the speech-to-text tests and benchmark: a few sine tones of distinct pitch as 16 kHz mono
// PCM, encoded to Ogg Opus by Debian's opusenc (opus-tools), as WhatsApp's apps record them. The
// tones are what a test checks decoded audio against (`dominantTone`), robust to Opus's loss.
import { spawnSync } from 'node:child_process';
import { systemCommand } from './system-command.js';

export const VOICE_RATE = 16000;

/** opusenc, or why a test skips without it (under CI a missing one throws instead). */
export const opusenc = systemCommand('opusenc', 'opus-tools');

/** One tone per frequency, each `secondsEach` long, as s16le mono at 16 kHz. */
export function tonesPcm(frequencies: readonly number[], secondsEach: number): Buffer {
  const perTone = Math.round(secondsEach * VOICE_RATE);
  const pcm = Buffer.alloc(frequencies.length * perTone * 2);
  frequencies.forEach((frequency, t) => {
    for (let i = 0; i < perTone; i++) {
      // A short fade in and out, so the tone changes do not splatter across the spectrum.
      const fade = Math.min(1, i / 160, (perTone - i) / 160);
      pcm.writeInt16LE(Math.round(0.5 * 0x7fff * fade * Math.sin((2 * Math.PI * frequency * i) / VOICE_RATE)), (t * perTone + i) * 2);
    }
  });
  return pcm;
}

/** The PCM as an Ogg Opus file (a voice note), encoded by opusenc from stdin to stdout. */
export function encodeVoiceNote(pcm: Buffer): Buffer {
  const run = spawnSync(opusenc.path!, ['--quiet', '--raw', '--raw-rate', String(VOICE_RATE), '--raw-chan', '1', '--speech', '-', '-'], {
    input: pcm,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`opusenc failed (${run.status}): ${run.stderr.toString()}`);
  return run.stdout;
}

/** s16le bytes as numbers. */
export function samplesOf(pcm: Buffer): Int16Array {
  return new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length - (pcm.length % 2))));
}

/**
 * Which of `candidates` is loudest in samples [from, to) (Goertzel's algorithm: the power of
 * one DFT bin per candidate), at `rate`.
 */
export function dominantTone(samples: Int16Array, from: number, to: number, candidates: readonly number[], rate = VOICE_RATE): number {
  let best = candidates[0]!;
  let bestPower = -1;
  for (const frequency of candidates) {
    const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / rate);
    let s1 = 0;
    let s2 = 0;
    for (let i = from; i < to; i++) {
      const s0 = samples[i]! + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    if (power > bestPower) {
      bestPower = power;
      best = frequency;
    }
  }
  return best;
}

/** The dominant tone of each of `count` equal segments, ignoring 20 % at each segment's edges. */
export function tonesIn(samples: Int16Array, count: number, candidates: readonly number[], rate = VOICE_RATE): number[] {
  const length = Math.floor(samples.length / count);
  return Array.from({ length: count }, (_, i) =>
    dominantTone(samples, i * length + Math.floor(length / 5), (i + 1) * length - Math.floor(length / 5), candidates, rate),
  );
}
