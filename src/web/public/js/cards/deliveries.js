// @ts-check
// The recent-deliveries card: the latest attempts of every destination, and re-queueing the dead ones.
import { $, show } from '../dom.js';
import { chatLabel, dateTime, timeOnly } from '../format.js';
import { state } from '../state.js';
import { expireResult } from '../result.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */
/** @typedef {import('../state.js').DeliveryAttempt} DeliveryAttempt */

/**
 * @param {StatusReport} status
 * @param {DeliveryAttempt[]} deliveries
 */
export function renderDeliveriesCard(status, deliveries) {
  const rows = status.destinations;
  // "Retry dead deliveries" re-queues the dead deliveries of every destination and resumes a paused one.
  const retry = rows.some((d) => d.dead > 0 || Boolean(d.paused));
  show($('deliveries'), rows.some((d) => d.enabled) || deliveries.length > 0 || retry);
  show($('retry-area'), retry);
  // A retry's result is stale once the dead and paused deliveries it was shown under changed.
  expireResult('deliveries-result', JSON.stringify(rows.map((d) => [d.dead, d.paused])));
}

/**
 * Rebuilds the table; called when a new delivery log arrives.
 * @param {DeliveryAttempt[]} deliveries
 */
export function renderDeliveryRows(deliveries) {
  show($('deliveries-empty'), deliveries.length === 0);
  show($('deliveries-wrap'), deliveries.length > 0);
  $('deliveries-body').replaceChildren(...deliveries.map(row));
}

/** @param {DeliveryAttempt} d */
function row(d) {
  const tr = document.createElement('tr');
  tr.dataset.outcome = d.outcome;
  tr.dataset.destination = d.destination;
  tr.dataset.messageId = d.messageId;
  /**
   * @param {string} text
   * @param {string} [title]
   */
  const cell = (text, title) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (title) td.title = title;
    tr.append(td);
    return td;
  };
  cell(timeOnly.format(d.at), dateTime.format(d.at)).className = 'nowrap';
  cell(labelOf(d.destination)).className = 'nowrap';
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
}

/**
 * A destination's name on the page, as the app's registry labels it (the status' rows).
 * @param {string} name
 */
function labelOf(name) {
  return state.status?.destinations.find((d) => d.name === name)?.label ?? name;
}
