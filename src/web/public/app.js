// The WhatsApp Bridge page. Plain ES module, no framework. Every URL is relative so the page
// works under Home Assistant's ingress prefix (/api/hassio_ingress/<token>/).

const $ = (id) => document.getElementById(id);

/** Latest status JSON (GET api/status, SSE `status` events); null until the first one. */
let status = null;
/** Browser clock minus the app's clock, from the Date header; countdowns use the app's clock. */
let clockSkewMs = 0;
/** Latest delivery attempts (GET api/deliveries). */
let deliveries = [];
/** The pairing code the user asked for here, until the state leaves `qr`. */
let localPairingCode = null;
let shownQr = null;
let shownCode = null;

const STATES = {
  connecting: { pill: 'Connecting', tone: 'neutral', text: 'Connecting to WhatsApp…' },
  qr: { pill: 'Not linked', tone: 'info', text: 'Not linked yet: link your WhatsApp account below.' },
  connected: { pill: 'Connected', tone: 'ok', text: 'Connected to WhatsApp.' },
  reconnecting: { pill: 'Reconnecting', tone: 'warn', text: 'WhatsApp is unreachable: reconnecting.' },
  logged_out: { pill: 'Unlinked', tone: 'warn', text: 'This device was unlinked from the phone.' },
  replaced: { pill: 'Session replaced', tone: 'error', text: 'Another client is using this WhatsApp session.' },
  banned: { pill: 'Refused by WhatsApp', tone: 'error', text: 'WhatsApp refused this account.' },
  stopped: { pill: 'Stopped', tone: 'neutral', text: 'The bridge is stopped.' },
};

// ---------- helpers ----------

const serverNow = () => Date.now() - clockSkewMs;

function show(el, visible) {
  el.hidden = !visible;
}

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function ago(ms) {
  const s = Math.round((serverNow() - ms) / 1000);
  if (s < 45) return relative.format(-Math.max(0, s), 'second');
  if (s < 2700) return relative.format(-Math.round(s / 60), 'minute');
  if (s < 86400 * 1.5) return relative.format(-Math.round(s / 3600), 'hour');
  return relative.format(-Math.round(s / 86400), 'day');
}

function duration(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

function secondsUntil(ms) {
  return Math.max(0, Math.ceil((ms - serverNow()) / 1000));
}

/** "4915112345678" -> "+4915112345678" (no grouping: country codes have different lengths). */
function phone(digits) {
  return digits ? `+${String(digits).replace(/^\+/, '')}` : '–';
}

/** A chat JID as a person reads it. */
function chatLabel(chat) {
  if (chat === 'test') return 'Test send';
  const [user, server] = String(chat).split('@');
  if (server === 's.whatsapp.net') return phone(user);
  if (server === 'g.us') return 'Group';
  if (server === 'lid') return 'Contact (hidden number)';
  return chat;
}

/** Short, stable value that changes with the QR string (cache-busting for api/qr.svg). */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** "ABCD1234" -> "ABCD-1234". */
function groupCode(code) {
  const c = String(code).replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
}

async function readJson(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.trim() || `HTTP ${res.status}` };
  }
}

/** Every POST is JSON (the app refuses anything else with 415). */
async function post(path, body = {}) {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await readJson(res);
  if (!res.ok) throw new Error(data.error || `The app answered HTTP ${res.status}.`);
  return data;
}

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

// ---------- rendering ----------

function render() {
  if (!status) return;
  document.body.dataset.state = status.state;
  setText('version', status.version ? `v${status.version}` : '');
  setText('foot-version', status.version ? `v${status.version}` : '');
  renderProblems();
  renderConnection();
  renderWebhook();
  renderHomeAssistant();
  tick();
}

function renderProblems() {
  const problems = status.problems ?? [];
  show($('problems'), problems.length > 0);
  const list = $('problems-list');
  const key = JSON.stringify(problems);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(
    ...problems.map((p) => {
      const li = document.createElement('li');
      li.dataset.option = p.option;
      li.textContent = p.message;
      return li;
    }),
  );
}

function renderConnection() {
  const s = status;
  const meta = STATES[s.state] ?? { pill: s.state, tone: 'neutral', text: s.state };
  const pill = $('state-pill');
  setText('state-pill', meta.pill);
  pill.dataset.tone = meta.tone;
  $('state-line').dataset.state = s.state;
  $('state-line').dataset.tone = meta.tone;
  setText('state-text', meta.text);

  const detail = $('state-detail');
  const why = s.last_disconnect ? `${s.last_disconnect.reason}${s.last_disconnect.code ? ` (code ${s.last_disconnect.code})` : ''}` : null;
  let help = '';
  if (s.state === 'reconnecting') {
    help = `<p><strong>Last disconnect:</strong> ${esc(why ?? 'unknown')}.</p><p>The bridge keeps retrying by itself, waiting a little longer each time. If this lasts, check the internet connection of the Home Assistant host. Messages sent meanwhile wait on WhatsApp's servers and arrive after the reconnect.</p>`;
  } else if (s.state === 'logged_out' || (s.state === 'qr' && s.last_disconnect?.code === 401)) {
    help = `<p>This device was removed under <strong>Linked devices</strong> on the phone, so the old link is gone. Scan the new QR code to link again; messages still queued for your webhook are kept.</p>`;
  } else if (s.state === 'replaced') {
    help = `<p>WhatsApp closed this session (440) because another client is using the same pairing, for example a second copy of this app or another tool restored from a backup. The bridge does not fight over it.</p><p><strong>What to do:</strong> stop the other client, then press <strong>Reconnect</strong>.</p>`;
  } else if (s.state === 'banned') {
    help = `<p>WhatsApp answered 403 for this account and the bridge stopped connecting.</p><p><strong>What to do:</strong> open WhatsApp on the phone and check whether the account is restricted. Once it works again press <strong>Try again</strong>, or unlink and link another number.</p>`;
  } else if (s.state === 'stopped') {
    help = `<p>The app is shutting down or restarting. This page reconnects by itself when it is back.</p>`;
  }
  if (detail.dataset.html !== help) {
    detail.dataset.html = help;
    detail.innerHTML = help;
  }
  detail.dataset.tone = meta.tone;
  show(detail, help !== '');

  const canReconnect = s.state === 'replaced' || s.state === 'banned';
  show($('state-actions'), canReconnect);
  setText('reconnect-btn', s.state === 'banned' ? 'Try again' : 'Reconnect');

  // The paired account.
  const me = s.me;
  show($('account'), Boolean(me));
  if (me) {
    setText('account-phone', phone(me.phone));
    setText('account-name', me.name ?? '');
    show($('account-name-label'), Boolean(me.name));
    show($('account-name'), Boolean(me.name));
  }
  show($('unlink-area'), Boolean(me) && s.state !== 'qr' && s.state !== 'stopped');

  // Pairing: QR and phone-number code.
  const pairing = s.state === 'qr' && Boolean(s.qr);
  show($('pairing'), pairing);
  const img = $('qr');
  if (pairing && s.qr !== shownQr) {
    shownQr = s.qr;
    img.dataset.qr = s.qr;
    img.src = `api/qr.svg?v=${hash(s.qr)}`;
  } else if (!pairing && shownQr !== null) {
    shownQr = null;
    delete img.dataset.qr;
    img.removeAttribute('src');
  }
  if (s.state !== 'qr') localPairingCode = null;
  const code = s.pairing_code || localPairingCode;
  show($('pairing-result'), Boolean(code));
  if (code && code !== shownCode) {
    const grouped = groupCode(code);
    setText('pairing-code', grouped);
    $('pairing-code').setAttribute('aria-label', `Pairing code ${grouped.split('').join(' ')}`);
    $('phone-link').open = true;
  }
  shownCode = code;
}

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Where delivery stands, with what to do: off, paused, failing, dead ones, or fine. */
function webhookHealth() {
  const w = status.webhook;
  const c = w.counters;
  const host = w.url_host ? esc(w.url_host) : 'the receiver';
  if (!w.enabled) {
    const optionProblem = (status.problems ?? []).some((p) => p.option.startsWith('webhook'));
    // Messages may still reach Home Assistant as events: then an unused webhook is no failure.
    const eventsOn = Boolean(status.ha_events?.enabled);
    const setUp = `<p><strong>What to do:</strong> in Home Assistant open the app's <strong>Configuration</strong> tab, set <code>webhook_url</code> (e.g. <code>http://homeassistant:8123/api/webhook/&lt;id&gt;</code>), turn on <code>webhook_enabled</code>, save and restart the app.</p>`;
    return {
      tone: optionProblem || !eventsOn ? 'warn' : 'neutral',
      text: 'Not forwarding: the webhook is off.',
      help: optionProblem
        ? `<p>The webhook options have a problem (see above), so the webhook stays off until they are fixed.</p>`
        : eventsOn
          ? `<p>Incoming messages still reach Home Assistant as events. To also send them to a webhook:</p>${setUp}`
          : `<p>Incoming messages are not forwarded anywhere.</p>${setUp}`,
    };
  }
  if (w.paused) {
    return {
      tone: 'error',
      text: 'Delivery paused.',
      help: `<p>${esc(w.paused)}: the receiver says this webhook no longer exists. Messages are kept.</p><p><strong>What to do:</strong> check <code>webhook_url</code> (and the webhook id of your automation), then press <strong>Retry dead deliveries</strong> to resume.</p>`,
    };
  }
  const latest = deliveries[0];
  const latestFailed = latest && ['retrying', 'dead', 'failed'].includes(latest.outcome);
  if (c.retrying > 0 || latestFailed) {
    const failed = latestFailed ? latest : deliveries.find((d) => d.outcome !== 'delivered');
    const answer = failed ? (failed.status ? `answered HTTP ${failed.status}` : `could not be reached (${esc(failed.error ?? 'no answer')})`) : 'is failing';
    return {
      tone: 'error',
      text: `The receiver is failing.`,
      help: `<p>The last attempt to <strong>${host}</strong> ${answer}. Messages are kept in order and retried with growing pauses; nothing is lost.</p><p><strong>What to do:</strong> check that the receiver is running and that <code>webhook_url</code> is right, then press <strong>Send test</strong>.</p>`,
    };
  }
  if (c.dead > 0) {
    return {
      tone: 'warn',
      text: `${c.dead} ${c.dead === 1 ? 'delivery' : 'deliveries'} gave up.`,
      help: `<p>These messages were not accepted after every retry. <strong>What to do:</strong> once the receiver works (try <strong>Send test</strong>), press <strong>Retry dead deliveries</strong>.</p>`,
    };
  }
  return { tone: 'ok', text: `Forwarding to ${w.url_host ?? 'the webhook'}.`, help: '' };
}

/** The webhook's health line when the last test/retry result was shown: a change makes that result stale. */
let resultShownFor = null;

function renderWebhook() {
  const w = status.webhook;
  const health = webhookHealth();
  const result = $('webhook-result');
  if (!result.textContent) resultShownFor = null;
  else if (resultShownFor === null) resultShownFor = health.text;
  else if (resultShownFor !== health.text) {
    result.textContent = '';
    delete result.dataset.status;
    delete result.dataset.duration;
    resultShownFor = null;
  }
  $('webhook-line').dataset.tone = health.tone;
  setText('webhook-text', health.text);
  const detail = $('webhook-detail');
  if (detail.dataset.html !== health.help) {
    detail.dataset.html = health.help;
    detail.innerHTML = health.help;
  }
  detail.dataset.tone = health.tone;
  show(detail, health.help !== '');

  show($('counters'), w.enabled);
  const c = w.counters;
  setText('count-delivered', String(c.delivered));
  setText('count-retrying', String(c.retrying));
  setText('count-queued', String(c.queued));
  setText('count-dead', String(c.dead));
  setText('count-oldest', duration(c.oldest_queued_age_s));
  $('count-retrying').parentElement.dataset.tone = c.retrying > 0 ? 'error' : '';
  $('count-dead').parentElement.dataset.tone = c.dead > 0 ? 'warn' : '';

  show($('test-btn'), w.enabled);
  show($('retry-btn'), c.dead > 0 || Boolean(w.paused));
  show($('deliveries'), w.enabled || deliveries.length > 0);
}

function renderHomeAssistant() {
  const e = status.ha_events;
  setText('ha-events', e.enabled
    ? `whatsapp_message on: ${e.delivered} delivered, ${e.queued} queued${e.dead ? `, ${e.dead} dead` : ''}${e.paused ? ' (paused)' : ''}`
    : "off (turn on 'ha_event_enabled' to fire whatsapp_message events)");
  setText('api-port', `port ${status.api.port}, POST /api/send`);
  setText('api-token-hint', `••••••••${status.api.token_hint.replace('…', '')}${status.api.token_source === 'generated' ? ' (generated)' : ' (from the options)'}`);
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

function renderDeliveries() {
  const body = $('deliveries-body');
  show($('deliveries-empty'), deliveries.length === 0);
  show($('deliveries-wrap'), deliveries.length > 0);
  body.replaceChildren(
    ...deliveries.map((d) => {
      const tr = document.createElement('tr');
      tr.dataset.outcome = d.outcome;
      tr.dataset.messageId = d.messageId;
      const cell = (text, title) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (title) td.title = title;
        tr.append(td);
        return td;
      };
      const when = cell(timeOnly.format(d.at), dateTime.format(d.at));
      when.className = 'nowrap';
      cell(chatLabel(d.chat), d.chat);
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.dataset.outcome = d.outcome;
      badge.textContent = d.outcome;
      cell('').append(badge);
      cell(d.status != null ? String(d.status) : d.error ? 'error' : '–', d.error ?? undefined).className = 'num';
      cell(`${d.durationMs} ms`).className = 'num nowrap';
      cell(String(d.attempt)).className = 'num';
      return tr;
    }),
  );
  if (status) renderWebhook();
}

/** Once a second: countdowns and "… ago" texts. */
function tick() {
  if (!status) return;
  const s = status;
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
  if (s.me) {
    const since = s.me.paired_at ?? s.me.connected_since;
    setText('account-since-label', s.me.paired_at ? 'Linked' : 'Online since');
    setText('account-since', since ? `${dateTime.format(since)} (${ago(since)})` : '–');
  }
}

// ---------- data ----------

let lastDeliveriesFetch = 0;
let deliveriesTimer = null;
const DELIVERIES_EVERY_MS = 1000;

/** Refreshes the delivery log, at most once a second (a burst of status events is one fetch). */
function refreshDeliveries() {
  if (deliveriesTimer) return;
  const wait = Math.max(0, lastDeliveriesFetch + DELIVERIES_EVERY_MS - Date.now());
  deliveriesTimer = setTimeout(async () => {
    lastDeliveriesFetch = Date.now();
    try {
      const res = await fetch('api/deliveries?limit=20', { cache: 'no-store' });
      if (res.ok) {
        deliveries = (await res.json()).deliveries ?? [];
        renderDeliveries();
      }
    } catch {
      /* the stream note already says the app is unreachable */
    } finally {
      deliveriesTimer = null;
    }
  }, wait);
}

function onStatus(next) {
  // If the app ever reports its clock (`now`, epoch ms), prefer it to the Date header estimate.
  if (typeof next.now === 'number') clockSkewMs = Date.now() - next.now;
  status = next;
  render();
  refreshDeliveries();
}

async function loadStatus() {
  try {
    const sent = Date.now();
    const res = await fetch('api/status', { cache: 'no-store' });
    const received = Date.now();
    const serverDate = Date.parse(res.headers.get('Date') ?? '');
    if (Number.isFinite(serverDate)) {
      // The header has whole seconds: only correct clocks that are clearly off.
      const skew = (sent + received) / 2 - serverDate - 500;
      clockSkewMs = Math.abs(skew) > 2000 ? skew : 0;
    }
    if (res.ok && !status) onStatus(await res.json());
  } catch {
    /* the event stream reports the outage */
  }
}

let source = null;

/** While the stream is down the page says so and dims what may be out of date. */
function streamUp(up) {
  show($('stream-note'), !up);
  document.body.classList.toggle('stale', !up);
}
let retryTimer = null;

/** The live stream. EventSource reconnects by itself; if it gives up (e.g. a 502 from the proxy), start a new one. */
function openStream() {
  source = new EventSource('api/events');
  source.addEventListener('open', () => streamUp(true));
  source.addEventListener('status', (event) => {
    streamUp(true);
    onStatus(JSON.parse(event.data));
  });
  source.addEventListener('error', () => {
    streamUp(false);
    if (source.readyState === EventSource.CLOSED && !retryTimer) {
      retryTimer = setTimeout(() => {
        retryTimer = null;
        openStream();
      }, 3000);
    }
  });
}

// ---------- actions ----------

$('pairing-form').addEventListener('submit', (event) => {
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
      localPairingCode = code;
      render();
      $('pairing-code').focus();
    } catch (e) {
      error.textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
    }
  });
});

const dialog = $('unlink-dialog');
$('unlink-btn').addEventListener('click', () => {
  dialog.returnValue = ''; // Escape keeps the previous value otherwise
  dialog.showModal();
});
dialog.addEventListener('close', () => {
  if (dialog.returnValue !== 'unlink') return;
  const button = $('unlink-btn');
  busy(button, $('state-detail'), async () => {
    await post('api/logout');
    $('whatsapp-title').focus();
  });
});

$('reconnect-btn').addEventListener('click', (event) => busy(event.currentTarget, null, () => post('api/reconnect')));

$('test-btn').addEventListener('click', (event) => {
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
    resultShownFor = null;
    refreshDeliveries();
  });
});

$('api-token-btn').addEventListener('click', (event) => busy(event.currentTarget, $('api-token-result'), copyApiToken));

$('retry-btn').addEventListener('click', (event) => {
  const result = $('webhook-result');
  busy(event.currentTarget, result, async () => {
    const { requeued } = await post('api/deliveries/retry-dead');
    result.dataset.tone = 'ok';
    result.textContent = `Re-queued ${requeued} ${requeued === 1 ? 'delivery' : 'deliveries'}; delivery resumed.`;
    resultShownFor = null;
    refreshDeliveries();
  });
});

$('whatsapp-title').tabIndex = -1;
$('pairing-code').tabIndex = -1;

loadStatus();
openStream();
setInterval(tick, 1000);
