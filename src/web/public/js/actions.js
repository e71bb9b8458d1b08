// What the buttons and the pairing form do.
import { post } from './api.js';
import { wirePasskey } from './cards/passkey.js';
import { $, show } from './dom.js';
import { deliveriesCount } from './format.js';
import { refreshDeliveries } from './live.js';
import { render } from './render.js';
import { state } from './state.js';

/** Runs an action with its button disabled; shows a failure in `resultEl`. */
async function busy(button, resultEl, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } catch (error) {
    if (resultEl) {
      resultEl.dataset.tone = 'error';
      resultEl.textContent = `Could not reach the app: ${error.message}`;
    }
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

function requestPairingCode(event) {
  event.preventDefault();
  const input = $('pairing-phone');
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
  busy($('pairing-submit'), error, async () => {
    try {
      const { code } = await post('api/pairing-code', { phone: phoneNumber });
      state.localPairingCode = code;
      render();
      $('pairing-code').focus();
    } catch (e) {
      error.textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
    }
  });
}

function sendTest(event) {
  const result = $('webhook-result');
  result.textContent = 'Sending a test message…';
  result.dataset.tone = 'neutral';
  busy(event.currentTarget, result, async () => {
    const r = await post('api/webhook/test');
    result.dataset.status = r.status ?? '';
    result.dataset.duration = r.durationMs;
    result.dataset.tone = r.delivered ? 'ok' : 'error';
    result.textContent = r.delivered
      ? `Test delivered: the receiver answered HTTP ${r.status} in ${r.durationMs} ms.`
      : r.status
        ? `Test failed: the receiver answered HTTP ${r.status} after ${r.durationMs} ms.`
        : `Test failed: ${r.error ?? 'no answer'}${r.durationMs ? ` (after ${r.durationMs} ms)` : ''}.`;
    state.resultShownFor = null;
    refreshDeliveries();
  });
}

/** Re-queues the dead deliveries of every destination (webhook and Home Assistant events). */
function retryDead(event) {
  const result = $('webhook-result');
  busy(event.currentTarget, result, async () => {
    const { requeued } = await post('api/deliveries/retry-dead');
    result.dataset.tone = 'ok';
    result.textContent = `Re-queued ${deliveriesCount(requeued)}; delivery resumed.`;
    state.resultShownFor = null;
    refreshDeliveries();
  });
}

/**
 * The token is fetched only on click, never part of the status. Without a secure context (plain
 * http:// through a LAN address) the clipboard API is missing: then the token is shown selected.
 */
async function copyApiToken() {
  const result = $('api-token-result');
  const { token } = await post('api/message-api/token');
  try {
    await navigator.clipboard.writeText(token);
    result.dataset.tone = 'ok';
    result.textContent = 'Token copied.';
  } catch {
    const field = $('api-token-value');
    field.value = token;
    show(field, true);
    field.focus();
    field.select();
    result.dataset.tone = 'info';
    result.textContent = 'Press Ctrl+C (⌘C) to copy the selected token.';
  }
}

function wireUnlink() {
  const dialog = $('unlink-dialog');
  $('unlink-btn').addEventListener('click', () => {
    dialog.returnValue = ''; // Escape keeps the previous value otherwise
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'unlink') return;
    busy($('unlink-btn'), $('state-detail'), async () => {
      await post('api/logout');
      $('whatsapp-title').focus();
    });
  });
}

export function wireActions() {
  $('pairing-form').addEventListener('submit', requestPairingCode);
  wirePasskey();
  wireUnlink();
  $('reconnect-btn').addEventListener('click', (event) => busy(event.currentTarget, null, () => post('api/reconnect')));
  $('test-btn').addEventListener('click', sendTest);
  $('retry-btn').addEventListener('click', retryDead);
  $('api-token-btn').addEventListener('click', (event) => busy(event.currentTarget, $('api-token-result'), copyApiToken));
}
