/** options.json for a bridge that forwards to the webhook at `url` (tests and benchmarks alike). */
export function webhookOptions(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { webhook_enabled: true, webhook_url: url, log_level: 'info', forward_groups: true, forward_own_messages: false, ...extra };
}
