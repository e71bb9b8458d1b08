import { Destination, type DestinationContext } from '../delivery/destination.js';
import type { EventKind, Forwarded } from '../payload/event-payload.js';
import { HaEventSender, type HaEventBody } from './ha-event-sender.js';

/** The Home Assistant event each kind fires. */
export const HA_EVENT_TYPES: Record<EventKind, string> = {
  message: 'whatsapp_message',
  edit: 'whatsapp_message_edited',
  delete: 'whatsapp_message_deleted',
  status: 'whatsapp_message_status',
  connection: 'whatsapp_bridge_connection',
};

/**
 * The event data: the webhook's payload without `raw` (too big for the recorder); messages add
 * Baileys' content name. Connection events keep the data they have always had, without `event`.
 */
function eventData({ payload, rawType }: Forwarded): Record<string, unknown> {
  if (payload.event === 'connection') {
    const { event: _event, ...data } = payload;
    return data;
  }
  if (payload.event === 'status') return { ...payload };
  const { raw: _raw, ...data } = payload;
  return payload.event === 'message' ? { ...data, raw_type: rawType } : data;
}

/**
 * Home Assistant's event bus as a destination: every kind fires its event through the Supervisor,
 * with the webhook's retry rules, so a Home Assistant restart loses nothing.
 */
export function haEventDestination(supervisor: { url: string; token: string }, context: DestinationContext): Destination {
  return new Destination({
    ...context,
    name: 'ha_event',
    sender: new HaEventSender(supervisor.url, supervisor.token),
    bodyFor: (event) => JSON.stringify({ event_type: HA_EVENT_TYPES[event.payload.event], data: eventData(event) } satisfies HaEventBody),
  });
}
