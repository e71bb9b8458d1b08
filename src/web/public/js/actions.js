// @ts-check
// What the buttons and the pairing form do.
import { post } from './api.js';
import { wireChats } from './cards/chats.js';
import { copyApiToken } from './cards/message-api.js';
import { wirePasskey } from './cards/passkey.js';
import { $ } from './dom.js';
import { deliveriesCount } from './format.js';
import { refreshDeliveries } from './live.js';
import { render } from './render.js';
import { showResult } from './result.js';
import { state } from './state.js';

/**
 * Runs an action with its button disabled; shows a failure in `resultEl`.
 * @param {HTMLButtonElement} button
 * @param {HTMLElement | null} resultEl
 * @param {() => Promise<unknown>} action
 */
async function busy(button, resultEl, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } catch (error) {
    if (resultEl) {
      resultEl.dataset.tone = 'error';
      resultEl.textContent = `Could not reach the app: ${/** @type {Error} */ (error).message}`;
    }
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** @param {SubmitEvent} event */
function requestPairingCode(event) {
  event.preventDefault();
  const input = $('pairing-phone', HTMLInputElement);
  const error = $('pairing-error');
  const phoneNumber = input.value.trim();
  error.textContent = '';
  input.removeAttribute('aria-invalid');
  if (!/^\+?[\d\s()-]{7,20}$/.test(phoneNumber)) {
    error.textContent = 'Enter the phone number with country code, e.g. +49 151 23456789.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  busy($('pairing-submit', HTMLButtonElement), error, async () => {
    try {
      const { code } = await post('api/pairing-code', { phone: phoneNumber });
      state.localPairingCode = code;
      render();
      $('pairing-code').focus();
    } catch (e) {
      error.textContent = /** @type {Error} */ (e).message;
      input.setAttribute('aria-invalid', 'true');
    }
  });
}

function sendTest() {
  const result = $('webhook-result');
  result.textContent = 'Sending a test message…';
  result.dataset.tone = 'neutral';
  busy($('test-btn', HTMLButtonElement), result, async () => {
    const r = await post('api/webhook/test');
    result.dataset.status = String(r.status ?? '');
    result.dataset.duration = String(r.durationMs);
    const text = r.delivered
      ? `Test delivered: the receiver answered HTTP ${r.status} in ${r.durationMs} ms.`
      : r.status
        ? `Test failed: the receiver answered HTTP ${r.status} after ${r.durationMs} ms.`
        : `Test failed: ${r.error ?? 'no answer'}${r.durationMs ? ` (after ${r.durationMs} ms)` : ''}.`;
    showResult('webhook-result', r.delivered ? 'ok' : 'error', text);
    refreshDeliveries();
  });
}

/** Re-queues the dead deliveries of every destination (webhook, Home Assistant events, MQTT). */
function retryDead() {
  busy($('retry-btn', HTMLButtonElement), $('deliveries-result'), async () => {
    const { requeued } = await post('api/deliveries/retry-dead');
    showResult('deliveries-result', 'ok', `Re-queued ${deliveriesCount(requeued)}; delivery resumed.`);
    refreshDeliveries();
  });
}

function wireUnlink() {
  const dialog = $('unlink-dialog', HTMLDialogElement);
  $('unlink-btn').addEventListener('click', () => {
    dialog.returnValue = ''; // Escape keeps the previous value otherwise
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'unlink') return;
    busy($('unlink-btn', HTMLButtonElement), $('state-detail'), async () => {
      // The app unlinks only with a confirmation it issued for this dialog.
      const { confirmation } = await post('api/logout/confirmation');
      await post('api/logout', { confirmation });
      $('whatsapp-title').focus();
    });
  });
}

export function wireActions() {
  $('pairing-form').addEventListener('submit', requestPairingCode);
  wirePasskey();
  wireUnlink();
  const reconnect = $('reconnect-btn', HTMLButtonElement);
  reconnect.addEventListener('click', () => busy(reconnect, null, () => post('api/reconnect')));
  $('test-btn').addEventListener('click', sendTest);
  $('retry-btn').addEventListener('click', retryDead);
  wireChats();
  const copyToken = $('api-token-btn', HTMLButtonElement);
  copyToken.addEventListener('click', () => busy(copyToken, $('api-token-result'), copyApiToken));
}
