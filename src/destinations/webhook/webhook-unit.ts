import type { Options } from '../../config/options.js';
import { Destination, type DestinationStatus } from '../../delivery/destination.js';
import type { EventKind } from '../../payload/event-payload.js';
import { samplePayload } from '../../payload/sample-payload.js';
import { shared, type DestinationUnit } from '../unit.js';
import { WebhookSender } from './webhook-sender.js';

/** The webhook's card in GET api/status: its state, host (never its token) and counters. */
export interface WebhookReport {
  /** 'invalid': turned on but its options need fixing (the problems say how). */
  state: 'off' | 'invalid' | 'on';
  enabled: boolean;
  url_host: string | null;
  paused: string | null;
  counters: { delivered: number; queued: number; retrying: number; dead: number; oldest_queued_age_s: number | null };
}

/** What a test send answers on the page. */
export interface TestDelivery {
  delivered: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

function webhookReport(options: Options, status: DestinationStatus | null, now: number): WebhookReport {
  const webhook = options.webhook;
  const counts = status?.counts;
  return {
    state: webhook.state,
    enabled: webhook.state === 'on',
    url_host: webhook.state === 'on' ? webhook.url.host : null,
    paused: status?.paused ?? null,
    counters: {
      delivered: counts?.delivered ?? 0,
      queued: counts?.queued ?? 0,
      retrying: counts?.retrying ?? 0,
      dead: counts?.dead ?? 0,
      oldest_queued_age_s: counts?.oldestQueuedAt ? Math.round((now - counts.oldestQueuedAt) / 1000) : null,
    },
  };
}

/**
 * The webhook: the payload as it is, as JSON, for the kinds `webhook_events` lists (webhook
 * options, src/config/webhook-options.ts). `media` and `assist` come with `message`: a receiver
 * that got a message with `media.pending` gets its file's event too, and one that got a question
 * gets Assist's answer to it.
 */
export const webhookUnit = {
  name: 'webhook',
  label: 'Webhook',
  build(context) {
    const { options } = context;
    const webhook = options.webhook;
    if (webhook.state !== 'on') return null;
    const kinds = options.webhookEvents;
    const wants = (kind: EventKind) => kinds.has(kind) || ((kind === 'media' || kind === 'assist') && kinds.has('message'));
    return new Destination({
      ...shared(context),
      name: 'webhook',
      sender: new WebhookSender(webhook),
      bodyFor: ({ payload }) => (wants(payload.event) ? JSON.stringify(payload) : null),
    });
  },
  report: { key: 'webhook', slice: webhookReport },
  announce(options) {
    const webhook = options.webhook;
    if (webhook.state === 'on') return `Forwarding incoming messages to the webhook at ${webhook.url.host}.`;
    if (webhook.state === 'off') return "The webhook is off ('webhook_enabled'); messages are not forwarded to it.";
    return null;
  },
} as const satisfies DestinationUnit;

/** The page's "Send test": a sample message once through the webhook's sender, outside the queue. */
export async function sendWebhookTest(webhook: Destination | null, ownJid: string | null): Promise<TestDelivery> {
  if (!webhook) return { delivered: false, status: null, error: 'The webhook is off: set webhook_url and turn on webhook_enabled.', durationMs: 0 };
  return webhook.sendTest(JSON.stringify(samplePayload(ownJid)));
}

/** One line for the log from a test delivery's outcome (the MQTT "test delivery" button). */
export function describeTest(result: TestDelivery): string {
  if (result.delivered) return `the webhook answered HTTP ${result.status}.`;
  return result.status === null ? `${result.error}` : `the webhook answered HTTP ${result.status}${result.error ? ` (${result.error})` : ''}.`;
}
