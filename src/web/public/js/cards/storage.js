// @ts-check
// The banner shown while messages cannot be stored (they wait at WhatsApp).
import { $, setText, show } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport} status */
export function renderStorage(status) {
  show($('storage'), Boolean(status.storage));
  setText('storage-text', status.storage?.message ?? '');
}
