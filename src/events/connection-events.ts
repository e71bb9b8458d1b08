import type { Bus } from '../bus.js';
import type { Destination } from '../delivery/destination.js';
import type { Part } from '../lifecycle.js';
import type { ConnectionState, ConnectionStatus } from '../whatsapp/connection-status.js';
import type { ConnectionPayload } from '../payload/event-payload.js';

/** The ordering key of connection events in the outbox: they keep their own order, apart from chats. */
const CONNECTION_KEY = 'connection';

/** What `whatsapp_bridge_connection` reports for a connection state, or null for none. */
export function reportedState(state: ConnectionState): ConnectionPayload['state'] | null {
  switch (state) {
    case 'connected':
      return 'connected';
    case 'reconnecting':
    case 'replaced':
    case 'banned':
      return 'disconnected';
    case 'logged_out':
      return 'logged_out';
    case 'qr':
      return 'qr_required';
    case 'passkey':
      return 'passkey_required';
    default:
      return null;
  }
}

/** What the user does next while WhatsApp asks for a passkey, or why the step ended. */
function passkeyReason(status: ConnectionStatus): string {
  if (status.passkey?.phase === 'failed') return `passkey step failed: ${status.passkey.error ?? 'unknown'}; press "Try again" on the app's page`;
  return "WhatsApp asks for a passkey: open the app's page and follow its steps";
}

/**
 * Reports every change of the link (connected, disconnected with reason and code, logged out,
 * QR required, passkey required) to the destinations that want it: `whatsapp_bridge_connection` on Home Assistant's
 * bus, `event: "connection"` on the webhook when `webhook_events` lists it. Through the outbox.
 */
export class ConnectionEvents implements Part {
  private lastReported: string | null = null;
  private readonly onConnection = (status: ConnectionStatus) => this.report(status);

  constructor(private readonly deps: { bus: Bus; destinations: readonly Destination[] }) {}

  async start(): Promise<void> {
    this.deps.bus.on('connection', this.onConnection);
  }

  async stop(): Promise<void> {
    this.deps.bus.off('connection', this.onConnection);
  }

  private report(status: ConnectionStatus): void {
    const state = reportedState(status.state);
    // After a logout the QR that follows keeps saying why it is needed (the phone removed the link).
    const relink = state === 'logged_out' || state === 'qr_required' ? status.relinkReason : null;
    const reason = state === 'passkey_required' ? passkeyReason(status) : relink;
    // The passkey step reports again when it ends (its reason changes), not at each step in between.
    const key = `${state}:${reason ?? ''}`;
    if (!state || key === this.lastReported) return;
    this.lastReported = key;
    const linked = !relink && (state === 'connected' || state === 'qr_required' || state === 'passkey_required');
    const payload: ConnectionPayload = {
      event: 'connection',
      state,
      reason: reason ?? (linked ? null : (status.lastDisconnect?.reason ?? null)),
      code: linked ? null : (status.lastDisconnect?.code ?? null),
      phone: status.account?.phone ?? null,
      at: new Date().toISOString(),
    };
    for (const destination of this.deps.destinations) {
      const body = destination.bodyFor({ payload, rawType: null });
      if (body !== null) destination.enqueue(CONNECTION_KEY, body);
    }
  }
}
