// The recent-deliveries card: the latest attempts of the webhook and of Home Assistant events.
import { $, show } from '../dom.js';
import { DESTINATIONS, chatLabel, dateTime, timeOnly } from '../format.js';

export function renderDeliveriesCard(status, deliveries) {
  show($('deliveries'), status.webhook.enabled || status.ha_events.enabled || deliveries.length > 0);
}

/** Rebuilds the table; called when a new delivery log arrives. */
export function renderDeliveryRows(deliveries) {
  show($('deliveries-empty'), deliveries.length === 0);
  show($('deliveries-wrap'), deliveries.length > 0);
  $('deliveries-body').replaceChildren(...deliveries.map(row));
}

function row(d) {
  const tr = document.createElement('tr');
  tr.dataset.outcome = d.outcome;
  tr.dataset.destination = d.destination;
  tr.dataset.messageId = d.messageId;
  const cell = (text, title) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (title) td.title = title;
    tr.append(td);
    return td;
  };
  cell(timeOnly.format(d.at), dateTime.format(d.at)).className = 'nowrap';
  cell(DESTINATIONS[d.destination] ?? d.destination).className = 'nowrap';
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
