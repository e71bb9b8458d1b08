import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus.js';
import { DeliveryChannel } from '../delivery/delivery-channel.js';
import type { DeliveryLog } from '../delivery/delivery-log.js';
import { HaEventSender, type HaEventBody } from '../delivery/ha-event-sender.js';
import type { Outbox } from '../delivery/outbox.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionState, ConnectionStatus } from '../whatsapp/connection-status.js';
import { rawTypeOf, type MessagePayload } from '../whatsapp/normalise.js';

export const MESSAGE_EVENT = 'whatsapp_message';
export const CONNECTION_EVENT = 'whatsapp_bridge_connection';

/** The event data of `whatsapp_message`: the webhook payload without `raw` (too big for the recorder). */
export function messageEventData(payload: MessagePayload, rawType: string | null): Record<string, unknown> {
  const { raw: _raw, ...data } = payload;
  return { ...data, raw_type: rawType };
}

/** What `whatsapp_bridge_connection` reports for a connection state, or null for none. */
function connectionEventState(state: ConnectionState): 'connected' | 'disconnected' | 'logged_out' | 'qr_required' | null {
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
 * Home Assistant's event bus as a second destination: each forwarded message also fires
 * `whatsapp_message`, and every connection change fires `whatsapp_bridge_connection`. Both go
 * through the outbox with the webhook's retry rules, so a Home Assistant restart loses nothing.
 */
export class HaEvents {
  readonly channel: DeliveryChannel;
  private lastReported: string | null = null;
  private readonly onConnection = (status: ConnectionStatus) => this.reportConnection(status);

  constructor(
    private readonly deps: { supervisorUrl: string; supervisorToken: string; outbox: Outbox; log: DeliveryLog; bus: Bus; logger: Logger },
  ) {
    this.channel = new DeliveryChannel({
      destination: 'ha_event',
      sender: new HaEventSender(deps.supervisorUrl, deps.supervisorToken),
      bodyFor: (payload, msg) => JSON.stringify({ event_type: MESSAGE_EVENT, data: messageEventData(payload, rawTypeOf(msg)) } satisfies HaEventBody),
      outbox: deps.outbox,
      log: deps.log,
      bus: deps.bus,
      logger: deps.logger,
    });
  }

  start(): void {
    this.deps.bus.on('connection', this.onConnection);
    this.channel.start();
  }

  async stop(): Promise<void> {
    this.deps.bus.off('connection', this.onConnection);
    await this.channel.stop();
  }

  private reportConnection(status: ConnectionStatus): void {
    const state = connectionEventState(status.state);
    if (!state || state === this.lastReported) return;
    this.lastReported = state;
    const data = {
      state,
      reason: state === 'connected' || state === 'qr_required' ? null : (status.lastDisconnect?.reason ?? null),
      code: state === 'connected' || state === 'qr_required' ? null : (status.lastDisconnect?.code ?? null),
      phone: status.account?.phone ?? null,
      at: new Date().toISOString(),
    };
    const body: HaEventBody = { event_type: CONNECTION_EVENT, data };
    this.deps.outbox.enqueue('ha_event', 'connection', randomUUID(), JSON.stringify(body), Date.now());
    this.channel.wake(['connection']);
  }
}
