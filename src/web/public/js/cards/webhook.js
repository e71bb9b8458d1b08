// The webhook card: where delivery stands with what to do, the counters, test and retry.
import { $, setText, show, showHelp } from '../dom.js';
import { deliveriesCount, duration } from '../format.js';
import { state } from '../state.js';

const FAILED = ['retrying', 'dead', 'failed'];

/** Where delivery stands, with what to do: off, paused, failing, dead ones, or fine. */
function webhookHealth(status, attempts) {
  const w = status.webhook;
  const c = w.counters;
  if (w.state !== 'on') {
    const optionProblem = w.state === 'invalid';
    // Messages may still reach Home Assistant as events: then an unused webhook is no failure.
    const eventsOn = Boolean(status.ha_events?.enabled);
    const why = optionProblem ? ['help-webhook-options'] : [eventsOn ? 'help-webhook-off-events' : 'help-webhook-off', 'help-webhook-setup'];
    return { tone: optionProblem || !eventsOn ? 'warn' : 'neutral', text: 'Not forwarding: the webhook is off.', help: { templates: why } };
  }
  if (w.paused) {
    return { tone: 'error', text: 'Delivery paused.', help: { templates: ['help-webhook-paused'], slots: { paused: w.paused } } };
  }
  const latest = attempts[0];
  const latestFailed = latest && FAILED.includes(latest.outcome);
  if (c.retrying > 0 || latestFailed) {
    const failed = latestFailed ? latest : attempts.find((d) => d.outcome !== 'delivered');
    const answer = failed ? (failed.status ? `answered HTTP ${failed.status}` : `could not be reached (${failed.error ?? 'no answer'})`) : 'is failing';
    const slots = { host: w.url_host ?? 'the receiver', answer };
    return { tone: 'error', text: 'The receiver is failing.', help: { templates: ['help-webhook-failing'], slots } };
  }
  if (c.dead > 0) {
    return { tone: 'warn', text: `${deliveriesCount(c.dead)} gave up.`, help: { templates: ['help-webhook-dead'] } };
  }
  return { tone: 'ok', text: `Forwarding to ${w.url_host ?? 'the webhook'}.`, help: null };
}

/** Clears the last test/retry result once the health line it was shown under changed. */
function expireResult(healthText) {
  const result = $('webhook-result');
  if (!result.textContent) state.resultShownFor = null;
  else if (state.resultShownFor === null) state.resultShownFor = healthText;
  else if (state.resultShownFor !== healthText) {
    result.textContent = '';
    delete result.dataset.status;
    delete result.dataset.duration;
    state.resultShownFor = null;
  }
}

export function renderWebhook(status, deliveries) {
  const w = status.webhook;
  const health = webhookHealth(
    status,
    deliveries.filter((d) => d.destination === 'webhook'),
  );
  expireResult(health.text);
  $('webhook-line').dataset.tone = health.tone;
  setText('webhook-text', health.text);
  showHelp($('webhook-detail'), health.help, health.tone);

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
  // Retrying re-queues the dead deliveries of every destination and resumes a paused one.
  const e = status.ha_events;
  show($('retry-btn'), c.dead + e.dead > 0 || Boolean(w.paused || e.paused));
}
