// The Home Assistant card: events on its bus, and the message API automations answer through.
import { $, setText } from '../dom.js';

function eventsLine(e) {
  if (!e.enabled) return "off (turn on 'ha_event_enabled' to fire whatsapp_message events)";
  return `whatsapp_message on: ${e.delivered} delivered, ${e.queued} queued${e.dead ? `, ${e.dead} dead` : ''}${e.paused ? ' (paused)' : ''}`;
}

export function renderHomeAssistant(status) {
  const e = status.ha_events;
  setText('ha-events', eventsLine(e));
  $('ha-events').dataset.tone = e.dead > 0 || e.paused ? 'warn' : '';
  $('ha-events').title = e.paused ?? '';
  setText('api-port', `port ${status.api.port}, POST /api/send`);
  const { token_hint: hint, token_source: source } = status.api;
  setText('api-token-hint', `••••••••${hint.replace('…', '')}${source === 'generated' ? ' (generated)' : ' (from the options)'}`);
}
