import type { EventEmitter } from 'node:events';
import type { RecordedMediaRetry } from './media-types.js';
import type {
  Arrival,
  OutgoingMessage,
  Recorded,
  RecordedAck,
  RecordedIq,
  RecordedPresence,
  RecordedReceipt,
  RecordedRetry,
  SimulatorEvents,
} from './types.js';
import { waitForEvent } from './waits.js';

/** Records what the client sent and lets callers wait for it. */
export class Recorder implements Recorded {
  readonly acks: RecordedAck[] = [];
  readonly receipts: RecordedReceipt[] = [];
  readonly prekeyUploads: number[] = [];
  readonly iqs: RecordedIq[] = [];
  readonly outgoing: OutgoingMessage[] = [];
  readonly mediaRetries: RecordedMediaRetry[] = [];
  readonly retries: RecordedRetry[] = [];
  readonly presences: RecordedPresence[] = [];
  /** Ids the client acked or receipted. */
  private readonly acknowledged = new Set<string>();
  /** Outgoing messages `nextOutgoing` already handed out. */
  private readonly handedOut = new Set<OutgoingMessage>();
  private arrivals = 0;

  constructor(private readonly events: EventEmitter<SimulatorEvents>) {}

  /** Notes a stanza's arrival, in the order the client sent them (a message is decrypted later). */
  arrive(): Arrival {
    return { seq: ++this.arrivals, at: Date.now() };
  }

  ack(ack: RecordedAck): void {
    this.acks.push(ack);
    this.acknowledged.add(ack.id);
    this.events.emit('ack', ack);
  }

  receipt(receipt: RecordedReceipt): void {
    this.receipts.push(receipt);
    for (const id of receipt.ids) this.acknowledged.add(id);
    this.events.emit('receipt', receipt);
  }

  iq(iq: RecordedIq): void {
    this.iqs.push(iq);
    this.events.emit('iq', iq);
  }

  prekeyUpload(count: number): void {
    this.prekeyUploads.push(count);
    this.events.emit('prekey-upload', count);
  }

  outgoingMessage(message: OutgoingMessage): void {
    this.outgoing.push(message);
    this.events.emit('outgoing', message);
  }

  mediaRetry(retry: RecordedMediaRetry): void {
    this.mediaRetries.push(retry);
    this.events.emit('media-retry', retry);
  }

  retry(retry: RecordedRetry): void {
    this.retries.push(retry);
    this.events.emit('retry', retry);
  }

  presence(presence: RecordedPresence): void {
    this.presences.push(presence);
    this.events.emit('presence', presence);
  }

  /** Resolves once every id has been acked or receipted by the client. */
  async waitForAcks(ids: Iterable<string>, timeoutMs: number): Promise<void> {
    const pending = new Set(ids);
    const check = () => {
      for (const id of pending) if (this.acknowledged.has(id)) pending.delete(id);
      return pending.size === 0 ? true : undefined;
    };
    await waitForEvent(this.events, ['ack', 'receipt'], check, timeoutMs, `acks of ${pending.size} message(s)`);
  }

  /** Resolves once the client has uploaded prekeys `n` times in all. */
  async waitForPreKeyUploads(n: number, timeoutMs: number): Promise<void> {
    const check = () => (this.prekeyUploads.length >= n ? true : undefined);
    await waitForEvent(this.events, ['prekey-upload'], check, timeoutMs, `prekey upload #${n}`);
  }

  /** The first outgoing message matching `predicate` not handed out before; waits for one if needed. */
  nextOutgoing(predicate: (m: OutgoingMessage) => boolean, timeoutMs: number): Promise<OutgoingMessage> {
    const check = () => {
      const found = this.outgoing.find((m) => !this.handedOut.has(m) && predicate(m));
      if (found) this.handedOut.add(found);
      return found;
    };
    return waitForEvent(this.events, ['outgoing'], check, timeoutMs, 'an outgoing message');
  }
}
