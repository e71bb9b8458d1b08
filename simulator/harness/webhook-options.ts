/**
 * options.json for a bridge that forwards to the webhook at `url` (tests and benchmarks alike).
 * Typing before a send is off: its 1-3 s per message would only slow down what is not about it
 * (test/e2e/typing.test.ts turns it on).
 */
export function webhookOptions(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { webhook_enabled: true, webhook_url: url, log_level: 'info', forward_groups: true, forward_own_messages: false, typing_before_send: false, ...extra };
}
