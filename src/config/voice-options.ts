import type { OptionReader } from './option-reader.js';
import type { OptionContext, OptionProblem } from './options.js';

/** Voice notes as text through Home Assistant's own speech-to-text (`voice_to_text`). */
export interface VoiceOptions {
  /** The speech-to-text entity, e.g. `stt.home_assistant_cloud`; null: off. */
  entity: string | null;
  /** The language to ask for (e.g. `de`, `en-US`); null: Home Assistant's own language. */
  language: string | null;
  /** Every received audio file, not just push-to-talk voice notes. */
  allAudio: boolean;
  /** A message waits this long for its transcript, then goes without it (ms). */
  timeoutMs: number;
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
export function readVoiceOptions(read: OptionReader, problems: OptionProblem[], context: OptionContext, mediaDownload: boolean): VoiceOptions {
  const rawEntity = read.text('voice_to_text');
  const language = read.text('voice_language');
  const options: VoiceOptions = {
    entity: null,
    language: null,
    allAudio: read.bool('voice_to_text_all_audio', VOICE_OFF.allAudio),
    timeoutMs: Math.round(read.number('voice_to_text_timeout', 5, 300, VOICE_OFF.timeoutMs / 1000) * 1000),
  };
  if (language !== null && !LANGUAGE_TAG.test(language)) {
    problems.push({
      option: 'voice_language',
      message: `Option 'voice_language' must be a language code such as de, en-US or pt-BR, not "${language.slice(0, 40)}"; using Home Assistant's language.`,
    });
  } else {
    options.language = language;
  }
  if (rawEntity === null) return options;
  const problem = (message: string) => problems.push({ option: 'voice_to_text', message: `Option 'voice_to_text' ${message}; ${OFF}.` });
  const entity = rawEntity.toLowerCase();
  if (!STT_ENTITY.test(entity)) {
    problem(
      `must be a speech-to-text entity id such as stt.home_assistant_cloud or stt.faster_whisper (Settings > Devices & services > Entities, search "stt."), not "${rawEntity.slice(0, 40)}"`,
    );
  } else if (!context.supervisorAvailable) {
    problem("needs Home Assistant's Supervisor, which this app cannot reach (SUPERVISOR_TOKEN is not set)");
  } else if (!mediaDownload) {
    problem("needs 'media_download' on: the voice note's file is what is transcribed");
  } else {
    options.entity = entity;
  }
  return options;
}
