// @ts-check
// The webhook card: where delivery stands with what to do, the counters, and the test send.
import { $, setText, show, showHelp } from '../dom.js';
import { deliveriesCount, duration } from '../format.js';
import { expireResult } from '../result.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */
/** @typedef {import('../state.js').DeliveryAttempt} DeliveryAttempt */
/** @typedef {{ tone: string, text: string, help: import('../dom.js').Help | null }} Health */

/** @type {DeliveryAttempt['outcome'][]} */
const FAILED = ['retrying', 'dead', 'failed'];

/**
 * Where delivery stands, with what to do: off, paused, failing, dead ones, or fine.
 * @param {StatusReport} status
 * @param {DeliveryAttempt[]} attempts the webhook's, newest first
 * @returns {Health}
 */
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

/**
 * @param {StatusReport} status
 * @param {DeliveryAttempt[]} deliveries every destination's, newest first
 */
export function renderWebhook(status, deliveries) {
  const w = status.webhook;
  const health = webhookHealth(
    status,
    deliveries.filter((d) => d.destination === 'webhook'),
  );
  // A test result is stale once the health line it was shown under changed.
  expireResult('webhook-result', health.text);
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
  tone('count-retrying', c.retrying > 0 ? 'error' : '');
  tone('count-dead', c.dead > 0 ? 'warn' : '');

  show($('test-btn'), w.enabled);
}

/**
 * Colours a counter's box.
 * @param {string} id the counter's value
 * @param {string} value
 */
function tone(id, value) {
  const box = $(id).parentElement;
  if (box) box.dataset.tone = value;
}
