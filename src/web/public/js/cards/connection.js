// @ts-check
// The WhatsApp card: the connection state with what to do, the linked account, and pairing.
import { $, setText, show, showHelp } from '../dom.js';
import { ago, dateTime, groupCode, hash, phone, secondsUntil } from '../format.js';
import { state } from '../state.js';
import { renderPasskey, tickPasskey } from './passkey.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */
/** @typedef {{ pill: string, tone: string, text: string }} StateLine */

/** @type {Record<StatusReport['state'], StateLine>} */
const STATES = {
  connecting: { pill: 'Connecting', tone: 'neutral', text: 'Connecting to WhatsApp…' },
  qr: { pill: 'Not linked', tone: 'info', text: 'Not linked yet: link your WhatsApp account below.' },
  passkey: { pill: 'Passkey needed', tone: 'info', text: 'Almost linked: WhatsApp asks for your passkey (below).' },
  connected: { pill: 'Connected', tone: 'ok', text: 'Connected to WhatsApp.' },
  reconnecting: { pill: 'Reconnecting', tone: 'warn', text: 'WhatsApp is unreachable: reconnecting.' },
  logged_out: { pill: 'Unlinked', tone: 'warn', text: 'WhatsApp ended the link: scan a new QR code to link again.' },
  replaced: { pill: 'Session replaced', tone: 'error', text: 'Another client is using this WhatsApp session.' },
  banned: { pill: 'Refused by WhatsApp', tone: 'error', text: 'WhatsApp refused this account.' },
  stopped: { pill: 'Stopped', tone: 'neutral', text: 'The bridge is stopped.' },
  unavailable: { pill: 'Needs attention', tone: 'error', text: 'Not connected: the app cannot use its state file (see above).' },
};

/**
 * The help under the state line, or null.
 * @param {StatusReport} s
 * @returns {import('../dom.js').Help | null}
 */
function connectionHelp(s) {
  if (s.state === 'reconnecting') {
    const d = s.last_disconnect;
    const why = d ? `${d.reason}${d.code ? ` (code ${d.code})` : ''}` : 'unknown';
    return { templates: ['help-reconnecting'], slots: { why } };
  }
  // The QR after a logout is a re-link: the page keeps saying why until the account is linked again.
  if (s.relink_reason && (s.state === 'logged_out' || s.state === 'qr')) return { templates: ['help-logged-out'], slots: { why: s.relink_reason } };
  if (s.state === 'replaced') return { templates: ['help-replaced'] };
  if (s.state === 'banned') return { templates: ['help-banned'] };
  if (s.state === 'stopped') return { templates: ['help-stopped'] };
  return null;
}

/**
 * A passkey step that ended: its own line, with "Try again" below.
 * @type {StateLine}
 */
const PASSKEY_FAILED = { pill: 'Not linked', tone: 'error', text: 'Linking did not finish: the passkey step ended.' };

/** @param {StatusReport} s */
export function renderConnection(s) {
  const failed = s.state === 'passkey' && s.passkey?.phase === 'failed';
  const meta = failed ? PASSKEY_FAILED : (STATES[s.state] ?? { pill: s.state, tone: 'neutral', text: s.state });
  setText('state-pill', meta.pill);
  $('state-pill').dataset.tone = meta.tone;
  $('state-line').dataset.state = s.state;
  $('state-line').dataset.tone = meta.tone;
  setText('state-text', meta.text);
  showHelp($('state-detail'), connectionHelp(s), meta.tone);

  show($('state-actions'), s.state === 'replaced' || s.state === 'banned');
  setText('reconnect-btn', s.state === 'banned' ? 'Try again' : 'Reconnect');

  const me = s.me;
  show($('account'), Boolean(me));
  if (me) {
    setText('account-phone', phone(me.phone));
    setText('account-name', me.name ?? '');
    show($('account-name-label'), Boolean(me.name));
    show($('account-name'), Boolean(me.name));
  }
  show($('unlink-area'), Boolean(me) && s.state !== 'qr' && s.state !== 'passkey' && s.state !== 'stopped');
  renderPairing(s);
  renderPasskey(s);
}

/**
 * The QR code and the phone-number code.
 * @param {StatusReport} s
 */
function renderPairing(s) {
  const pairing = s.state === 'qr' && Boolean(s.qr);
  show($('pairing'), pairing);
  const img = $('qr', HTMLImageElement);
  if (pairing && s.qr && s.qr !== state.shownQr) {
    state.shownQr = s.qr;
    img.dataset.qr = s.qr;
    img.src = `api/qr.svg?v=${hash(s.qr)}`;
  } else if (!pairing && state.shownQr !== null) {
    state.shownQr = null;
    delete img.dataset.qr;
    img.removeAttribute('src');
  }
  if (s.state !== 'qr') state.localPairingCode = null;
  const code = s.pairing_code || state.localPairingCode;
  show($('pairing-result'), Boolean(code));
  if (code && code !== state.shownCode) {
    const grouped = groupCode(code);
    setText('pairing-code', grouped);
    $('pairing-code').setAttribute('aria-label', `Pairing code ${grouped.split('').join(' ')}`);
    $('phone-link', HTMLDetailsElement).open = true;
  }
  state.shownCode = code;
}

/**
 * Once a second: the reconnect and QR countdowns, and how long the account has been linked.
 * @param {StatusReport} s
 */
export function tickConnection(s) {
  const line = $('countdown-line');
  if (s.state === 'reconnecting' && s.next_reconnect_at) {
    const left = secondsUntil(s.next_reconnect_at);
    setText('countdown-line', left > 0 ? `Next attempt in ${left} s.` : 'Trying again now…');
    show(line, true);
  } else {
    show(line, false);
  }
  if (s.state === 'qr' && s.qr_expires_at) {
    const left = secondsUntil(s.qr_expires_at);
    setText('qr-countdown', left > 0 ? `WhatsApp replaces this code in ${left} s; the new one appears here by itself.` : 'Waiting for a new code…');
  }
  tickPasskey(s);
  if (s.me) {
    const since = s.me.paired_at ?? s.me.connected_since;
    setText('account-since-label', s.me.paired_at ? 'Linked' : 'Online since');
    setText('account-since', since ? `${dateTime.format(since)} (${ago(since)})` : '–');
  }
}
