import { createHttpClient, postJson, type HttpClient } from '../delivery/http-post.js';
import type { AttemptResult, Delivery, DeliverySender } from '../delivery/sender.js';

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
  readonly target: string;
  private readonly client: HttpClient;

  constructor(
    private readonly supervisorUrl: string,
    private readonly supervisorToken: string,
    client?: HttpClient,
  ) {
    this.client = client ?? createHttpClient();
    this.target = 'Home Assistant event bus';
  }

  send(delivery: Delivery, signal?: AbortSignal): Promise<AttemptResult> {
    const { event_type, data } = JSON.parse(delivery.body) as HaEventBody;
    return postJson(
      this.client,
      `${this.supervisorUrl}/core/api/events/${encodeURIComponent(event_type)}`,
      JSON.stringify(data),
      {
        Authorization: `Bearer ${this.supervisorToken}`,
      },
      signal,
    );
  }
}
