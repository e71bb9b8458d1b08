import type { AttemptResult, Delivery, DeliverySender } from '../../delivery/sender.js';
import type { SupervisorClient } from '../../supervisor/supervisor-client.js';

/** A queued Home Assistant event: its type and data. */
export interface HaEventBody {
  event_type: string;
  data: Record<string, unknown>;
}

/**
 * Fires events on Home Assistant's bus through the Supervisor's Core proxy
 * (POST <supervisor>/core/api/events/<type>, Bearer SUPERVISOR_TOKEN). Needs
 * `homeassistant_api: true`, which config.yaml sets.
 */
export class HaEventSender implements DeliverySender {
  readonly target = 'Home Assistant event bus';

  constructor(private readonly supervisor: SupervisorClient) {}

  send(delivery: Delivery, signal?: AbortSignal): Promise<AttemptResult> {
    const { event_type, data } = JSON.parse(delivery.body) as HaEventBody;
    return this.supervisor.fireEvent(event_type, JSON.stringify(data), signal);
  }
}
