import type { Bus } from '../bus.js';
import type { Destination } from '../delivery/destination.js';
import type { Part } from '../lifecycle.js';
import type { ConnectionState, ConnectionStatus } from '../whatsapp/connection-status.js';
import type { HaEventBody } from './ha-event-sender.js';

const CONNECTION_EVENT = 'whatsapp_bridge_connection';

/** The ordering key of connection events in the outbox: they keep their own order, apart from chats. */
const CONNECTION_KEY = 'connection';

/** What `whatsapp_bridge_connection` reports for a connection state, or null for none. */
function reportedState(state: ConnectionState): 'connected' | 'disconnected' | 'logged_out' | 'qr_required' | null {
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
    default:
      return null;
  }
}

/**
 * Fires `whatsapp_bridge_connection` on Home Assistant's bus on every change of the link
 * (connected, disconnected with reason and code, logged out, QR required), through the outbox.
 */
export class ConnectionEvents implements Part {
  private lastReported: string | null = null;
  private readonly onConnection = (status: ConnectionStatus) => this.report(status);

  constructor(private readonly deps: { bus: Bus; destination: Destination }) {}

  async start(): Promise<void> {
    this.deps.bus.on('connection', this.onConnection);
  }

  async stop(): Promise<void> {
    this.deps.bus.off('connection', this.onConnection);
  }

  private report(status: ConnectionStatus): void {
    const state = reportedState(status.state);
    if (!state || state === this.lastReported) return;
    this.lastReported = state;
    const linked = state === 'connected' || state === 'qr_required';
    const data = {
      state,
      reason: linked ? null : (status.lastDisconnect?.reason ?? null),
      code: linked ? null : (status.lastDisconnect?.code ?? null),
      phone: status.account?.phone ?? null,
      at: new Date().toISOString(),
    };
    this.deps.destination.enqueue(CONNECTION_KEY, JSON.stringify({ event_type: CONNECTION_EVENT, data } satisfies HaEventBody));
  }
}
