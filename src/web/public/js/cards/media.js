// @ts-check
// The received-media card: where files are saved, how many, and the last failure with what to do.
import { $, setText } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/**
 * "12 files, 3.4 MB in /media/whatsapp", what waits, and the last failure with what to do.
 * @param {StatusReport['media']} m
 */
function mediaLine(m) {
  if (!m.download) return `not saved ('media_download' is off): messages carry only what WhatsApp says about their files`;
  const size = m.bytes < 1024 * 1024 ? `${Math.round(m.bytes / 1024)} kB` : `${(m.bytes / 1024 / 1024).toFixed(1)} MB`;
  const waiting = m.pending ? `, ${m.pending} downloading` : '';
  const failed = m.last_error
    ? ` · last problem: ${m.last_error}${/disk full|not writable/.test(m.last_error) ? ` (free space in ${m.folder} or check the folder)` : ''}`
    : '';
  return `${m.files} ${m.files === 1 ? 'file' : 'files'}, ${size} in ${m.folder}${waiting}${failed}`;
}

/** @param {StatusReport} status */
export function renderMedia(status) {
  setText('media-line', mediaLine(status.media));
  $('media-line').dataset.tone = status.media.last_error ? 'warn' : '';
}
