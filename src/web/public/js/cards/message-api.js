// @ts-check
// The message API card: its port, a hint of its token, and the button that copies the token.
import { post } from '../api.js';
import { $, setText, show } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport} status */
export function renderMessageApi(status) {
  setText('api-port', `port ${status.api.port}, POST /api/send`);
  const { token_hint: hint, token_source: source } = status.api;
  setText('api-token-hint', `••••••••${hint.replace('…', '')}${source === 'generated' ? ' (generated)' : ' (from the options)'}`);
}

/**
 * The token is fetched only on click, never part of the status. Without a secure context (plain
 * http:// through a LAN address) the clipboard API is missing: then the token is shown selected.
 */
export async function copyApiToken() {
  const result = $('api-token-result');
  const { token } = await post('api/message-api/token');
  try {
    await navigator.clipboard.writeText(token);
    result.dataset.tone = 'ok';
    result.textContent = 'Token copied.';
  } catch {
    const field = $('api-token-value', HTMLInputElement);
    field.value = token;
    show(field, true);
    field.focus();
    field.select();
    result.dataset.tone = 'info';
    result.textContent = 'Press Ctrl+C (⌘C) to copy the selected token.';
  }
}
