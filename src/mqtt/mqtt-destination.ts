import { Destination, type DestinationContext } from '../delivery/destination.js';
import type { AttemptResult, Delivery, DeliverySender } from '../delivery/sender.js';
import type { Forwarded } from '../payload/event-payload.js';
import { TOPICS, type EventType } from './discovery.js';
import type { MqttLink } from './mqtt-link.js';

/** The event entity's `event_type` for what the bridge forwards; connection changes go to the link sensor instead. */
function eventTypeOf({ payload }: Forwarded): EventType | null {
  if (payload.event === 'connection') return null;
  if (payload.event === 'message') return payload.type === 'poll_vote' ? 'poll_vote' : 'message';
  return payload.event;
}

/** The event's JSON: `event_type` and the payload's fields (without `raw`), which Home Assistant keeps as attributes. */
export function eventEntityBody(event: Forwarded): string | null {
  const type = eventTypeOf(event);
  if (!type) return null;
  const { event: _kind, raw: _raw, ...fields } = event.payload as typeof event.payload & { raw?: unknown };
  return JSON.stringify({ event_type: type, ...fields });
}

/** Publishes one queued event with QoS 1, not retained; no PUBACK (or no broker) is a failed attempt, retried in order. */
class MqttEventSender implements DeliverySender {
  readonly target = 'MQTT event entity';

  constructor(private readonly link: MqttLink) {}

  async send(delivery: Delivery): Promise<AttemptResult> {
    const started = performance.now();
    try {
      await this.link.publish(TOPICS.message, delivery.body, false);
      return { status: 200, error: null, durationMs: Math.round(performance.now() - started), retryAfter: null };
    } catch (error) {
      return { status: null, error: (error as Error).message, durationMs: Math.round(performance.now() - started), retryAfter: null };
    }
  }
}

/**
 * The event entity "WhatsApp message" as a destination: the same durable outbox as the webhook,
 * so a broker outage loses nothing and each chat's events arrive in order once it is back.
 */
export function mqttEventDestination(link: MqttLink, context: DestinationContext, bodyFor: (event: Forwarded) => string | null = eventEntityBody): Destination {
  return new Destination({ ...context, name: 'mqtt', sender: new MqttEventSender(link), bodyFor });
}
