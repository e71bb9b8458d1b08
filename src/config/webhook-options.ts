import { EVENT_KINDS, type EventKind } from '../payload/event-payload.js';
import type { OptionReader } from './option-reader.js';

/** The end of every problem with a webhook option. */
export const WEBHOOK_OFF = 'The webhook stays off until this is fixed; pairing and the page keep working.';
const EXAMPLE_URL = 'http://homeassistant:8123/api/webhook/<id>';
const WEBHOOK_OPTIONS = ['webhook_enabled', 'webhook_url', 'webhook_token', 'webhook_secret'];

/** The webhook: off, asked for but misconfigured (its problems say why), or on. */
export type WebhookOption =
  | { readonly state: 'off' }
  | { readonly state: 'invalid' }
  | { readonly state: 'on'; readonly url: URL; readonly token: string | null; readonly secret: string | null };

export interface WebhookOptions {
  readonly webhook: WebhookOption;
  /** The kinds the webhook gets (`webhook_events`); Home Assistant's bus gets every kind. */
  readonly webhookEvents: ReadonlySet<EventKind>;
}

/**
 * `webhook_enabled`, `_url`, `_token`, `_secret`, `webhook_events`. Any problem with the first
 * four makes the webhook `invalid`: sending to a wrong address is worse than not sending.
 */
export function readWebhookOptions(read: OptionReader): WebhookOptions {
  const enabled = read.bool('webhook_enabled', false);
  const url = read.url('webhook_url', EXAMPLE_URL, WEBHOOK_OFF);
  const token = read.secret('webhook_token', WEBHOOK_OFF);
  const secret = read.secret('webhook_secret', WEBHOOK_OFF);
  if (enabled && url === null && !read.hasProblem('webhook_url')) {
    read.problem(
      'webhook_url',
      `is empty but 'webhook_enabled' is on. Set it to the receiver's full address, e.g. ${EXAMPLE_URL}, or turn 'webhook_enabled' off`,
    );
  }
  if (enabled && url && pointsAtItself(url, read.ownAddress)) {
    read.problem(
      'webhook_url',
      `points at this app itself (${url.host}), so every message would come back to it. Set it to your receiver, e.g. ${EXAMPLE_URL}. ${WEBHOOK_OFF}`,
    );
  }
  const webhook: WebhookOption = read.hasProblem(...WEBHOOK_OPTIONS)
    ? { state: 'invalid' }
    : enabled && url
      ? { state: 'on', url, token, secret }
      : { state: 'off' };
  return { webhook, webhookEvents: read.someOf('webhook_events', EVENT_KINDS, new Set(['message'])) };
}

function pointsAtItself(url: URL, own: OptionReader['ownAddress']): boolean {
  if (!own) return false;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return own.ports.includes(port) && own.hosts.some((h) => h.toLowerCase() === host);
}
