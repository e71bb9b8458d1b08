import { Destination, type DestinationStatus } from '../../delivery/destination.js';
import type { EventKind, Forwarded } from '../../payload/event-payload.js';
import { shared, type DestinationUnit } from '../unit.js';
import { HaEventSender, type HaEventBody } from './ha-event-sender.js';

/** The Home Assistant event each kind fires. */
export const HA_EVENT_TYPES: Record<EventKind, string> = {
  message: 'whatsapp_message',
  media: 'whatsapp_media_saved',
  edit: 'whatsapp_message_edited',
  delete: 'whatsapp_message_deleted',
  status: 'whatsapp_message_status',
  connection: 'whatsapp_bridge_connection',
  assist: 'whatsapp_assist_answer',
};

/** Home Assistant events in GET api/status. */
export interface HaEventsReport {
  enabled: boolean;
  paused: string | null;
  delivered: number;
  queued: number;
  dead: number;
}

/**
 * The event data: the webhook's payload without `raw` (too big for the recorder); messages add
 * Baileys' content name. Connection events keep the data they have always had, without `event`.
 */
function eventData({ payload, rawType }: Forwarded): Record<string, unknown> {
  if (payload.event === 'connection') {
    const { event: _event, ...data } = payload;
    return data;
  }
  if (payload.event === 'status' || payload.event === 'media' || payload.event === 'assist') return { ...payload };
  const { raw: _raw, ...data } = payload;
  return payload.event === 'message' ? { ...data, raw_type: rawType } : data;
}

function haEventsReport(_options: unknown, status: DestinationStatus | null): HaEventsReport {
  return {
    enabled: status !== null,
    paused: status?.paused ?? null,
    delivered: status?.counts.delivered ?? 0,
    queued: status?.counts.queued ?? 0,
    dead: status?.counts.dead ?? 0,
  };
}

/**
 * Home Assistant's event bus (`ha_event_enabled`, src/config/ha-event-options.ts): every kind
 * fires its event through the Supervisor, with the webhook's retry rules, so a Home Assistant
 * restart loses nothing.
 */
export const haEventsUnit = {
  name: 'ha_event',
  label: 'Home Assistant',
  build(context) {
    const { options, supervisor } = context;
    if (!options.haEventEnabled || !supervisor) return null;
    return new Destination({
      ...shared(context),
      name: 'ha_event',
      sender: new HaEventSender(supervisor),
      bodyFor: (event) => JSON.stringify({ event_type: HA_EVENT_TYPES[event.payload.event], data: eventData(event) } satisfies HaEventBody),
    });
  },
  report: { key: 'ha_events', slice: haEventsReport },
  announce: (_options, running) => (running ? 'Firing whatsapp_message events on the Home Assistant event bus.' : null),
} as const satisfies DestinationUnit;
