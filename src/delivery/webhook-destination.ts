import type { WebhookOption } from '../config/options.js';
import type { EventKind } from '../payload/event-payload.js';
import { Destination, type DestinationContext } from './destination.js';
import { WebhookSender } from './webhook-sender.js';

/** The webhook of the seed's contract as a destination: the payload as it is, as JSON, for the kinds `webhook_events` lists. */
export function webhookDestination(webhook: Extract<WebhookOption, { state: 'on' }>, kinds: ReadonlySet<EventKind>, context: DestinationContext): Destination {
  return new Destination({
    ...context,
    name: 'webhook',
    sender: new WebhookSender(webhook),
    bodyFor: ({ payload }) => (kinds.has(payload.event) ? JSON.stringify(payload) : null),
  });
}
