import { Destination, type DestinationContext } from '../../delivery/destination.js';
import type { AttemptResult, Delivery, DeliverySender } from '../../delivery/sender.js';
import { TOPICS, type EventType } from '../../mqtt/discovery.js';
import type { MqttLink } from '../../mqtt/mqtt-link.js';
import type { Forwarded } from '../../payload/event-payload.js';
import { shared, type DestinationUnit } from '../unit.js';

const NAME = 'mqtt';

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

function dropQueued(context: DestinationContext, why: string): void {
  const dropped = context.outbox.discard(NAME);
  if (dropped > 0) context.logger.info(`MQTT ${why}: dropped ${dropped} events queued for the WhatsApp message entity.`);
}

/**
 * The event entity "WhatsApp message" (`mqtt_enabled`, src/config/mqtt-options.ts): the same
 * durable outbox as the webhook, so a broker outage loses nothing and each chat's events arrive
 * in order once it is back. Nothing is queued while there is no broker to be had; what waited
 * is dropped then, and while MQTT is off.
 */
export const mqttEventsUnit = {
  name: NAME,
  label: 'MQTT event',
  build(context) {
    const { options, mqttLink: link } = context;
    if (!options.mqtt.enabled) return null;
    const destination = new Destination({
      ...shared(context),
      name: NAME,
      sender: new MqttEventSender(link),
      bodyFor: (event) => (link.status.state === 'no_broker' ? null : eventEntityBody(event)),
    });
    // The broker is back: what waits for a retry goes now (after the entities' configs, home-assistant-mqtt.ts).
    link.on('connect', () => destination.retryNow());
    link.on('status', (status) => status.state === 'no_broker' && dropQueued(context, 'has no broker'));
    return destination;
  },
  dropQueuedWhenOff: true,
} as const satisfies DestinationUnit;
