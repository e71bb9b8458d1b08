import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { Forwarded } from '../payload/event-payload.js';
import type { DeliveryAttempt, DestinationName } from '../bus-events.js';
import type { DeliveryLog } from './delivery-log.js';
import { Dispatcher } from './dispatcher.js';
import type { Outbox, OutboxCounts } from './outbox.js';
import { classify } from './retry-policy.js';
import type { AttemptResult, DeliverySender } from './sender.js';

/** What every destination shares: the state file's queue and log, the bus, the logger. */
export interface DestinationContext {
  outbox: Outbox;
  log: DeliveryLog;
  bus: Bus;
  logger: Logger;
}

export interface DestinationDeps extends DestinationContext {
  name: DestinationName;
  sender: DeliverySender;
  /** The body this destination stores for a message or event, built once when it is committed; null: not wanted here. */
  bodyFor(event: Forwarded): string | null;
  concurrency?: number;
}

export interface DestinationStatus {
  target: string;
  paused: string | null;
  counts: OutboxCounts & { delivered: number };
}

/** How long `stop` lets attempts under way finish before it cuts them off (the Supervisor allows 10 s in all). */
const STOP_DEADLINE_MS = 5_000;

/**
 * A place messages go (the webhook, Home Assistant's event bus), end to end: the body it wants,
 * its sender, and the dispatcher that drains its rows of the outbox.
 */
export class Destination implements Part {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly deps: DestinationDeps) {
    this.dispatcher = new Dispatcher(deps);
  }

  get name(): DestinationName {
    return this.deps.name;
  }

  bodyFor(event: Forwarded): string | null {
    return this.deps.bodyFor(event);
  }

  async start(): Promise<void> {
    this.dispatcher.start();
  }

  /** Stops starting attempts; those under way get until the deadline, then are cut off and stay queued. */
  stop(): Promise<void> {
    return this.dispatcher.stop(STOP_DEADLINE_MS);
  }

  /** New rows for these chats were committed. */
  wake(chats: Iterable<string>): void {
    this.dispatcher.wake(chats);
  }

  /** The receiver is reachable again: what waits for a retry is tried now, in order. */
  retryNow(): void {
    this.dispatcher.retryNow();
  }

  /** Queues one body that is not a WhatsApp message (e.g. a connection event), ordered under `key`. */
  enqueue(key: string, body: string): void {
    this.deps.outbox.enqueue(this.deps.name, key, randomUUID(), body, Date.now());
    this.dispatcher.wake([key]);
  }

  /** Re-queues every dead delivery and resumes a paused endpoint. */
  requeueDead(): number {
    const count = this.deps.outbox.requeueDead(this.deps.name, Date.now());
    if (count > 0) this.deps.logger.info(`Re-queued ${count} dead deliveries to the ${this.deps.name}.`);
    this.dispatcher.reload();
    return count;
  }

  status(now = Date.now()): DestinationStatus {
    const counts = { ...this.deps.outbox.counts(this.deps.name, now), delivered: this.deps.log.deliveredCount(this.deps.name) };
    return { target: this.deps.sender.target, paused: this.dispatcher.paused, counts };
  }

  /** Sends a body once through the same sender (headers, signature), outside the queue. */
  async sendTest(body: string): Promise<AttemptResult & { delivered: boolean }> {
    const deliveryId = `test_${randomUUID()}`;
    const result = await this.deps.sender.send({ deliveryId, body });
    const delivered = classify(result.status).kind === 'delivered';
    const entry: DeliveryAttempt = {
      destination: this.deps.name,
      at: Date.now(),
      messageId: deliveryId,
      chat: 'test',
      attempt: 1,
      status: result.status,
      error: result.error,
      durationMs: result.durationMs,
      outcome: delivered ? 'delivered' : 'failed',
    };
    this.deps.log.record(entry);
    this.deps.bus.emit('delivery', entry);
    return { ...result, delivered };
  }
}
