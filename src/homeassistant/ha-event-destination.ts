import { Destination, type DestinationContext } from '../delivery/destination.js';
import type { ForwardedMessage } from '../payload/message-payload.js';
import { HaEventSender, type HaEventBody } from './ha-event-sender.js';

const MESSAGE_EVENT = 'whatsapp_message';

/** The event data of `whatsapp_message`: the webhook payload without `raw` (too big for the recorder). */
function messageEventData({ payload, rawType }: ForwardedMessage): Record<string, unknown> {
  const { raw: _raw, ...data } = payload;
  return { ...data, raw_type: rawType };
}

/**
 * Home Assistant's event bus as a destination: each forwarded message fires `whatsapp_message`
 * through the Supervisor, with the webhook's retry rules, so a Home Assistant restart loses nothing.
 */
export function haEventDestination(supervisor: { url: string; token: string }, context: DestinationContext): Destination {
  return new Destination({
    ...context,
    name: 'ha_event',
    sender: new HaEventSender(supervisor.url, supervisor.token),
    bodyFor: (message) => JSON.stringify({ event_type: MESSAGE_EVENT, data: messageEventData(message) } satisfies HaEventBody),
  });
}
