import type { WebhookOption } from '../config/options.js';
import { Destination, type DestinationContext } from './destination.js';
import { WebhookSender } from './webhook-sender.js';

/** The webhook of the seed's contract as a destination: the payload as it is, as JSON. */
export function webhookDestination(webhook: Extract<WebhookOption, { state: 'on' }>, context: DestinationContext): Destination {
  return new Destination({
    ...context,
    name: 'webhook',
    sender: new WebhookSender(webhook),
    bodyFor: ({ payload }) => JSON.stringify(payload),
  });
}
