import type { MessageUpsertType, WAMessage } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { Destination } from '../delivery/destination.js';
import type { AcceptedMessage, Outbox } from '../delivery/outbox.js';
import type { Logger } from '../logging/logger.js';
import type { MediaIntake, NewMediaJob } from '../media/media-intake.js';
import type { Forwarded } from '../payload/event-payload.js';
import type { ChatFields } from '../payload/message-payload.js';
import type { PollPayload } from '../payload/poll-payload.js';
import { skipReason, type FilterSettings } from './message-filter.js';
import type { AccountIdentity } from '../whatsapp/jid.js';
import { normaliseMessage } from './normalise.js';
import { protocolEventOf } from './protocol-events.js';

/** Keeps the secrets of polls as they pass, and decrypts votes with them. */
export interface PollKeeper {
  observe(msg: WAMessage, account: AccountIdentity): void;
  voteOf(msg: WAMessage, account: AccountIdentity): PollPayload | null;
}

export interface IntakeDeps {
  outbox: Outbox;
  destinations: readonly Destination[];
  filter: FilterSettings;
  /** Null when no file is ever downloaded. */
  media: MediaIntake | null;
  polls: PollKeeper;
  account(): AccountIdentity;
  /** The commit failed (a full disk…): the messages were marked not stored and WhatsApp keeps them. */
  storeFailed(error: Error): void;
  /** False while storing is known to fail: messages are refused at once, keeping their order at WhatsApp. */
  storing(): boolean;
  /** Resolves once this commit is on the disk; the patched Baileys sends the receipts after it. */
  durable(): Promise<void>;
  bus: Bus;
  logger: Logger;
}

/**
 * The first thing that happens to a message WhatsApp delivers: filter, normalise (a message, an
 * edit or a deletion), and commit it to the outbox with one body per destination that wants its
 * kind, in one transaction per batch, synchronously inside
 * Baileys' event so nothing is awaited between WhatsApp's delivery and the commit. Delivery
 * happens later, from the outbox.
 */
export class Intake {
  constructor(private readonly deps: IntakeDeps) {}

  accept(messages: readonly WAMessage[], type: MessageUpsertType): void {
    if (!this.deps.storing()) return this.refuse(messages);
    const { logger, outbox, destinations } = this.deps;
    const account = this.deps.account();
    const accepted: AcceptedMessage[] = [];
    const chats: ChatFields[] = [];
    const jobs = new Map<AcceptedMessage, NewMediaJob>();
    for (const msg of messages) {
      this.observePoll(msg, account);
      const skip = skipReason(msg, this.deps.filter);
      if (skip) {
        logger.debug(`Not forwarding ${msg.key?.id ?? '?'} from ${msg.key?.remoteJid ?? '?'}: ${skip}.`);
        continue;
      }
      const event = protocolEventOf(msg, account);
      const message = event ? null : normaliseMessage(msg, account, (vote) => this.deps.polls.voteOf(vote, account));
      const forwarded: Forwarded = message ?? { payload: event!, rawType: null };
      const job = message ? (this.deps.media?.prepare(msg, message) ?? null) : null;
      const bodies: AcceptedMessage['bodies'] = {};
      for (const d of destinations) {
        const body = d.bodyFor(forwarded);
        if (body !== null) bodies[d.name] = body;
      }
      // Keyed by the upsert's own id (an edit's, not the edited message's), so each is stored once.
      const entry: AcceptedMessage = { chat: (message?.payload ?? event!).chat, messageId: msg.key.id!, bodies, held: job !== null };
      if (job) jobs.set(entry, job);
      accepted.push(entry);
      if (message) chats.push(message.payload);
    }
    if (accepted.length === 0) return;
    const now = Date.now();
    const started: NewMediaJob[] = [];
    let touched;
    try {
      // A media job is stored for each message that is new (not seen before), in the same transaction.
      touched = outbox.accept(accepted, now, (entry) => {
        const job = jobs.get(entry);
        if (job) {
          this.deps.media!.store(job, now);
          started.push(job);
        }
      });
    } catch (error) {
      // No receipt without a commit: the patched Baileys sees the mark, rolls the Signal session
      // back and neither receipts nor acks, so WhatsApp delivers these again (docs/architecture.md).
      logger.debug(`Could not store ${accepted.length} incoming message(s): ${(error as Error).message}`);
      this.deps.storeFailed(error as Error);
      return this.refuse(messages);
    }
    const durable = this.deps.durable();
    durable.catch(() => undefined); // a failed sync only withholds the receipts (WhatsApp delivers again)
    for (const msg of messages) (msg as WAMessage & { durable?: Promise<void> }).durable = durable;
    logger.debug(`Accepted ${accepted.length} message(s) (${type}).`);
    if (started.length > 0) this.deps.media!.started(started, now);
    this.deps.bus.emit('accepted', { count: accepted.length, chats });
    for (const d of destinations) {
      const chats = touched.get(d.name);
      if (chats) d.wake(chats);
    }
  }

  /** A poll's secret is kept even when the poll itself is not forwarded (a poll sent from the phone), so votes on it decrypt. */
  private observePoll(msg: WAMessage, account: AccountIdentity): void {
    try {
      this.deps.polls.observe(msg, account);
    } catch (error) {
      this.deps.logger.debug(`Could not keep the poll ${msg.key?.id ?? '?'}: ${(error as Error).message}`);
    }
  }

  /** Marks messages as not stored: the patched Baileys rolls their Signal session back and sends no receipt or ack. */
  private refuse(messages: readonly WAMessage[]): void {
    for (const msg of messages) (msg as WAMessage & { notStored?: boolean }).notStored = true;
  }
}
