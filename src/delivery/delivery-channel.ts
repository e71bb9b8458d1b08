import { randomUUID } from 'node:crypto';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { Logger } from '../logging/logger.js';
import type { MessageDestination } from '../whatsapp/message-forwarder.js';
import type { MessagePayload } from '../whatsapp/normalise.js';
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.js';
import { Dispatcher } from './dispatcher.js';
import type { Destination, Outbox, OutboxCounts } from './outbox.js';
import { classify } from './retry-policy.js';
import type { AttemptResult, DeliverySender } from './sender.js';

export interface ChannelDeps {
  destination: Destination;
  sender: DeliverySender;
  bodyFor(payload: MessagePayload, msg: WAMessage): string;
  outbox: Outbox;
  log: DeliveryLog;
  bus: Bus;
  logger: Logger;
  concurrency?: number;
}

export interface ChannelStatus {
  target: string;
  paused: string | null;
  counts: OutboxCounts;
}

/** One destination end to end: the body it wants, its sender, and the dispatcher draining its rows. */
export class DeliveryChannel implements MessageDestination {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly deps: ChannelDeps) {
    this.dispatcher = new Dispatcher(deps);
  }

  get destination(): Destination {
    return this.deps.destination;
  }

  bodyFor(payload: MessagePayload, msg: WAMessage): string {
    return this.deps.bodyFor(payload, msg);
  }

  start(): void {
    this.dispatcher.start();
  }

  stop(): Promise<void> {
    return this.dispatcher.stop();
  }

  wake(chats: Iterable<string>): void {
    this.dispatcher.wake(chats);
  }

  /** Re-queues every dead delivery and resumes a paused endpoint. */
  requeueDead(): number {
    const count = this.deps.outbox.requeueDead(this.deps.destination, Date.now());
    this.deps.logger.info(`Re-queued ${count} dead deliveries to the ${this.deps.destination}.`);
    this.dispatcher.reload();
    return count;
  }

  status(now = Date.now()): ChannelStatus {
    return {
      target: this.deps.sender.target,
      paused: this.dispatcher.paused,
      counts: this.deps.outbox.counts(this.deps.destination, now),
    };
  }


  /** Sends a body once through the same sender (headers, signature), outside the queue. */
  async sendTest(body: string): Promise<AttemptResult & { delivered: boolean }> {
    const deliveryId = `test_${randomUUID()}`;
    const result = await this.deps.sender.send({ deliveryId, body });
    const delivered = classify(result.status).kind === 'delivered';
    const entry: DeliveryAttempt = {
      destination: this.deps.destination,
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
