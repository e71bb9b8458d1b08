import type { OptionReader } from './option-reader.js';

/** Voice notes as text through Home Assistant's own speech-to-text (`voice_to_text`). */
export interface VoiceOptions {
  /** The speech-to-text entity, e.g. `stt.home_assistant_cloud`; null: off. */
  readonly entity: string | null;
  /** The language to ask for (e.g. `de`, `en-US`); null: Home Assistant's own language. */
  readonly language: string | null;
  /** Every received audio file, not just push-to-talk voice notes. */
  readonly allAudio: boolean;
  /** A message waits this long for its transcript, then goes without it (ms). */
  readonly timeoutMs: number;
}

export const VOICE_OFF: VoiceOptions = { entity: null, language: null, allAudio: false, timeoutMs: 60_000 };

/** Home Assistant's entity ids: the domain, a dot, lower-case letters, digits and underscores. */
const STT_ENTITY = /^stt\.[a-z0-9_]+$/;
/** A BCP 47 tag as Home Assistant writes them (`de`, `de-DE`, `pt_BR`, `zh-Hans-CN`). */
const LANGUAGE_TAG = /^[a-z]{2,3}([-_][a-z0-9]{2,8})*$/i;
const OFF = 'voice notes are forwarded without a transcript until it is fixed';

/**
 * The voice options. A wrong entity id, or one that cannot work here (no Supervisor to reach
 * Home Assistant, no saved file to send), turns the feature off with one problem saying why.
 */
export function readVoiceOptions(read: OptionReader, mediaDownload: boolean): VoiceOptions {
  const rawEntity = read.text('voice_to_text');
  const language = read.text('voice_language');
  const allAudio = read.bool('voice_to_text_all_audio', VOICE_OFF.allAudio);
  const timeoutMs = Math.round(read.number('voice_to_text_timeout', 5, 300, VOICE_OFF.timeoutMs / 1000) * 1000);
  const languageOk = language === null || LANGUAGE_TAG.test(language);
  if (!languageOk) {
    read.problem('voice_language', `must be a language code such as de, en-US or pt-BR, not "${language.slice(0, 40)}"; using Home Assistant's language`);
  }
  return { entity: rawEntity === null ? null : readEntity(read, rawEntity, mediaDownload), language: languageOk ? language : null, allAudio, timeoutMs };
}

/** The entity when it can work here; otherwise null and one problem. */
function readEntity(read: OptionReader, rawEntity: string, mediaDownload: boolean): string | null {
  const entity = rawEntity.toLowerCase();
  if (!STT_ENTITY.test(entity)) {
    read.problem(
      'voice_to_text',
      `must be a speech-to-text entity id such as stt.home_assistant_cloud or stt.faster_whisper (Settings > Devices & services > Entities, search "stt."), not "${rawEntity.slice(0, 40)}"; ${OFF}`,
    );
    return null;
  }
  if (!read.requiresSupervisor('voice_to_text', OFF)) return null;
  if (!mediaDownload) {
    read.problem('voice_to_text', `needs 'media_download' on: the voice note's file is what is transcribed; ${OFF}`);
    return null;
  }
  return entity;
}
