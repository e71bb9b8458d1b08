// @ts-check
// The voice-notes card: the speech-to-text entity voice notes go to, and its last failure.
import { $, setText } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport['voice_to_text']} v */
function voiceLine(v) {
  if (!v?.entity) return "off (set 'voice_to_text' to a speech-to-text entity, e.g. stt.home_assistant_cloud)";
  return `${v.entity}${v.last_error ? ` · last problem: ${v.last_error}` : ''}`;
}

/** @param {StatusReport} status */
export function renderVoice(status) {
  setText('voice-line', voiceLine(status.voice_to_text));
  $('voice-line').dataset.tone = status.voice_to_text?.last_error ? 'warn' : '';
}
