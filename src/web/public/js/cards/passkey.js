// @ts-check
// The passkey step of linking (state `passkey`): the three steps with the snippet, the paste
// box, the confirmation code, and why it failed with "Try again".
import { post } from '../api.js';
import { $, setText, show } from '../dom.js';
import { secondsUntil } from '../format.js';
import { passkeyBookmarklet, passkeySnippet } from '../passkey-snippet.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport} s */
export function renderPasskey(s) {
  const p = s.state === 'passkey' ? s.passkey : null;
  show($('passkey'), Boolean(p));
  if (!p) return;
  const snippet = $('passkey-snippet', HTMLTextAreaElement);
  const options = p.request_options ? JSON.stringify(p.request_options) : '';
  if (snippet.dataset.options !== options) {
    snippet.dataset.options = options;
    snippet.value = p.request_options ? passkeySnippet(p.request_options) : 'Reading WhatsApp’s request…';
    $('passkey-bookmarklet', HTMLAnchorElement).href = p.request_options ? passkeyBookmarklet(p.request_options) : '#';
    $('passkey-result', HTMLTextAreaElement).value = '';
  }
  show($('passkey-ask'), p.phase === 'waiting');
  $('passkey-submit', HTMLButtonElement).disabled = !p.request_options;
  if (p.phase === 'waiting') setText('passkey-error', p.error ?? '');
  show($('passkey-checking'), p.phase === 'checking');
  show($('passkey-confirm'), p.phase === 'confirming');
  setText('passkey-code', p.confirmation_code ?? '');
  show($('passkey-failed'), p.phase === 'failed');
  setText('passkey-failure', p.phase === 'failed' ? (p.error ?? 'The passkey step did not complete.') : '');
}

/**
 * Once a second: how long WhatsApp's request stays valid.
 * @param {StatusReport} s
 */
export function tickPasskey(s) {
  const p = s.state === 'passkey' ? s.passkey : null;
  if (!p?.expires_at || p.phase === 'failed') return setText('passkey-countdown', '');
  const left = secondsUntil(p.expires_at);
  setText('passkey-countdown', `Time left: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}.`);
}

/** @param {SubmitEvent} event */
async function submit(event) {
  event.preventDefault();
  const button = $('passkey-submit', HTMLButtonElement);
  const field = $('passkey-result', HTMLTextAreaElement);
  const result = field.value.trim();
  if (!result) {
    setText('passkey-error', 'Paste the result the snippet showed on web.whatsapp.com, then press Submit.');
    field.focus();
    return;
  }
  button.disabled = true;
  try {
    await post('api/passkey', { result });
    setText('passkey-error', '');
  } catch (error) {
    setText('passkey-error', /** @type {Error} */ (error).message);
    field.focus();
  } finally {
    button.disabled = false;
  }
}

async function copySnippet() {
  const snippet = $('passkey-snippet', HTMLTextAreaElement);
  const result = $('passkey-copy-result');
  try {
    await navigator.clipboard.writeText(snippet.value);
    result.dataset.tone = 'ok';
    result.textContent = 'Copied.';
  } catch {
    snippet.focus();
    snippet.select();
    result.dataset.tone = 'info';
    result.textContent = 'Press Ctrl+C (⌘C) to copy the selected snippet.';
  }
}

/**
 * Cancel and Try again both start linking over with a new QR code.
 * @param {string} errorId where a refusal is shown
 */
const startOver = (errorId) => () => post('api/passkey/cancel').catch((/** @type {Error} */ error) => setText(errorId, error.message));

export function wirePasskey() {
  $('passkey-form').addEventListener('submit', submit);
  $('passkey-copy').addEventListener('click', copySnippet);
  $('passkey-cancel').addEventListener('click', startOver('passkey-error'));
  $('passkey-retry').addEventListener('click', startOver('passkey-failure'));
  // The bookmarklet is for the bookmarks bar; clicked here it would run on the wrong site.
  $('passkey-bookmarklet').addEventListener('click', (event) => event.preventDefault());
}
