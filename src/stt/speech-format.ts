// What Home Assistant's speech-to-text API takes (homeassistant/components/stt): the engine lists
// its languages, formats, codecs, sample rates, bit rates and channels; the audio goes with an
// X-Speech-Content header naming one of each, or Home Assistant answers 415.

/** GET /api/stt/<entity>: what the engine accepts. */
export interface EngineCapabilities {
  languages: string[];
  formats: string[];
  codecs: string[];
  sample_rates: number[];
  bit_rates: number[];
  channels: number[];
}

/** One X-Speech-Content header's fields. `bitRate` is bits per sample. */
export interface SpeechMetadata {
  format: 'ogg' | 'wav';
  codec: 'opus' | 'pcm';
  sampleRate: number;
  bitRate: number;
  channel: number;
  language: string;
}

/** How the file goes: as it is (Ogg Opus), or decoded to 16-bit mono PCM at `sampleRate`. */
export interface Delivery {
  as: 'ogg' | 'pcm';
  metadata: SpeechMetadata;
}

/** The rates Opus decodes to natively; 16 kHz first (what speech engines are trained on). */
const PCM_RATES = [16000, 48000, 24000, 12000, 8000];

/** All six fields, in the order of Home Assistant's own example. */
export function speechContentHeader(m: SpeechMetadata): string {
  return `format=${m.format}; codec=${m.codec}; sample_rate=${m.sampleRate}; bit_rate=${m.bitRate}; channel=${m.channel}; language=${m.language}`;
}

/**
 * The engine's language for `wanted`: the same tag (case and `_`/`-` aside); else the bare
 * language ("de" for "de-AT"); else one of its regions, preferring the language's home region
 * ("de-DE" for "de", "fr-FR" for "fr"), else the first listed. Null: the engine has none.
 */
export function matchLanguage(wanted: string, languages: readonly string[]): string | null {
  const norm = (tag: string) => tag.trim().replace(/_/g, '-').toLowerCase();
  const target = norm(wanted);
  const primary = target.split('-')[0]!;
  const exact = languages.find((l) => norm(l) === target);
  if (exact) return exact;
  const bare = languages.find((l) => norm(l) === primary);
  if (bare) return bare;
  const regional = languages.filter((l) => norm(l).split('-')[0] === primary);
  return regional.find((l) => norm(l) === `${primary}-${primary}`) ?? regional[0] ?? null;
}

/** What the file is, from its OpusHead (read by `oggOpusInfo`). */
export interface OpusFileInfo {
  channels: number;
}

/**
 * How to send a file: as it is when the engine takes Ogg Opus with the file's channel count, else
 * decoded to 16-bit mono PCM at a rate the engine takes. Null: it takes neither (the reason is
 * built by `unsupportedReason`).
 */
export function chooseDelivery(engine: EngineCapabilities, file: OpusFileInfo, language: string): Delivery | null {
  const has = (list: readonly (string | number)[], value: string | number) => list.some((v) => String(v).toLowerCase() === String(value));
  const bitRate = has(engine.bit_rates, 16) ? 16 : engine.bit_rates[0];
  if (has(engine.formats, 'ogg') && has(engine.codecs, 'opus') && has(engine.channels, file.channels) && bitRate !== undefined) {
    // An Opus stream has no sample rate of its own (it always decodes at 48 kHz); engines list 16 kHz.
    const sampleRate = has(engine.sample_rates, 16000) ? 16000 : engine.sample_rates[0];
    if (sampleRate !== undefined) return { as: 'ogg', metadata: { format: 'ogg', codec: 'opus', sampleRate, bitRate, channel: file.channels, language } };
  }
  const pcmRate = PCM_RATES.find((rate) => has(engine.sample_rates, rate));
  if (has(engine.formats, 'wav') && has(engine.codecs, 'pcm') && has(engine.bit_rates, 16) && has(engine.channels, 1) && pcmRate !== undefined) {
    return { as: 'pcm', metadata: { format: 'wav', codec: 'pcm', sampleRate: pcmRate, bitRate: 16, channel: 1, language } };
  }
  return null;
}

export function unsupportedReason(engine: EngineCapabilities): string {
  const list = (values: readonly (string | number)[]) => (values.length ? values.join('/') : 'none');
  return (
    `the engine takes neither Ogg Opus nor 16-bit mono PCM (it lists formats ${list(engine.formats)}, codecs ${list(engine.codecs)}, ` +
    `sample rates ${list(engine.sample_rates)}, bit rates ${list(engine.bit_rates)}, channels ${list(engine.channels)})`
  );
}

/**
 * The channel count of an Ogg Opus file, from the OpusHead packet on its first page; null when
 * the file is not Ogg Opus (an mp3 or m4a audio file, which the bridge does not decode).
 */
export function oggOpusInfo(head: Uint8Array): OpusFileInfo | null {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes.length < 47 || bytes.toString('latin1', 0, 4) !== 'OggS') return null;
  // The first page: 27 header bytes, then `segments` lacing values, then the packet.
  const segments = bytes[26]!;
  const packet = 27 + segments;
  if (bytes.length < packet + 19 || bytes.toString('latin1', packet, packet + 8) !== 'OpusHead') return null;
  return { channels: bytes[packet + 9]! };
}

/** The capabilities answer, checked: every list present (as Home Assistant always sends them). */
export function parseCapabilities(json: unknown): EngineCapabilities | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : null);
  const numbers = (v: unknown) => (Array.isArray(v) ? v.map(Number).filter(Number.isFinite) : null);
  const caps = {
    languages: strings(o.languages),
    formats: strings(o.formats),
    codecs: strings(o.codecs),
    sample_rates: numbers(o.sample_rates),
    bit_rates: numbers(o.bit_rates),
    channels: numbers(o.channels),
  };
  return Object.values(caps).every((v) => v !== null) ? (caps as EngineCapabilities) : null;
}
