import type { WebhookOption } from '../../config/options.js';
import { createHttpClient, postJson, type HttpClient } from '../../delivery/http-post.js';
import type { AttemptResult, Delivery, DeliverySender } from '../../delivery/sender.js';
import { signatureHeaders } from './signature.js';

/**
 * The webhook: POST the payload with `X-Webhook-Token`, plus the
 * Standard Webhooks idempotency headers and, with a secret, both signatures. Headers are
 * computed at each attempt from the current options, so a changed token or secret applies to
 * everything still queued.
 */
export class WebhookSender implements DeliverySender {
  private readonly client: HttpClient;
  readonly target: string;

  constructor(
    private readonly options: Extract<WebhookOption, { state: 'on' }>,
    client?: HttpClient,
  ) {
    this.client = client ?? createHttpClient();
    this.target = options.url.host;
  }

  send(delivery: Delivery, signal?: AbortSignal): Promise<AttemptResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'webhook-id': delivery.deliveryId,
      'webhook-timestamp': String(timestamp),
    };
    if (this.options.token) headers['X-Webhook-Token'] = this.options.token;
    if (this.options.secret) Object.assign(headers, signatureHeaders(this.options.secret, delivery.deliveryId, timestamp, delivery.body));
    return postJson(this.client, this.options.url.href, delivery.body, headers, signal);
  }
}
