// @ts-check
// The Home Assistant events card: the whatsapp_message events fired on its bus.
import { $, setText } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport['ha_events']} e */
function eventsLine(e) {
  if (!e.enabled) return "off (turn on 'ha_event_enabled' to fire whatsapp_message events)";
  return `whatsapp_message on: ${e.delivered} delivered, ${e.queued} queued${e.dead ? `, ${e.dead} dead` : ''}${e.paused ? ' (paused)' : ''}`;
}

/** @param {StatusReport} status */
export function renderHaEvents(status) {
  const e = status.ha_events;
  setText('ha-events', eventsLine(e));
  $('ha-events').dataset.tone = e.dead > 0 || e.paused ? 'warn' : '';
  $('ha-events').title = e.paused ?? '';
}
