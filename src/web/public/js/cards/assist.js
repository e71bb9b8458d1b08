// @ts-check
// The Assist card: on or off, the chats allowed to talk to Home Assistant, the last answer or failure.
import { $, setText } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport['assist']} a */
function assistLine(a) {
  if (!a?.on) return "off (list who may talk to your home in 'assist_chats')";
  const agent = a.agent ?? "Home Assistant's default agent";
  return `on through ${agent} · ${a.chats.join(', ')}`;
}

/** @param {StatusReport['assist']} a */
function lastLine(a) {
  const last = a?.last;
  if (!last) return '';
  if (last.error) return `Last question in ${last.chat}: not answered (${last.error})`;
  return `Last answer in ${last.chat} (${last.response_type}): ${last.speech}`;
}

/** @param {StatusReport} status */
export function renderAssist(status) {
  setText('assist-line', assistLine(status.assist));
  setText('assist-last', lastLine(status.assist));
  $('assist-last').dataset.tone = status.assist?.last?.error ? 'warn' : '';
}
