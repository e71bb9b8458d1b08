import type { MessageUpsertType, WAMessage } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { Logger } from '../logging/logger.js';
import type { AcceptedMessage, Destination, Outbox } from '../delivery/outbox.js';
import { skipReason, type FilterSettings } from './message-filter.js';
import { normaliseMessage, type AccountIdentity, type MessagePayload } from './normalise.js';

/** A place messages go, and the body it wants for each. */
export interface MessageDestination {
  destination: Destination;
  bodyFor(payload: MessagePayload, msg: WAMessage): string;
  /** New rows for these chats were committed. */
  wake(chats: Iterable<string>): void;
}

export interface ForwarderDeps {
  outbox: Outbox;
  destinations: readonly MessageDestination[];
  filter: FilterSettings;
  account(): AccountIdentity;
  bus: Bus;
  logger: Logger;
}

/**
 * The first thing that happens to a message: filter, normalise, and commit it to the outbox in
 * one transaction per batch, synchronously inside Baileys' event so nothing is awaited between
 * WhatsApp's delivery and the commit. Delivery happens later, from the outbox.
 */
export class MessageForwarder {
  constructor(private readonly deps: ForwarderDeps) {}

  handle(messages: readonly WAMessage[], type: MessageUpsertType): void {
    const { logger, outbox, destinations } = this.deps;
    const account = this.deps.account();
    const accepted: AcceptedMessage[] = [];
    for (const msg of messages) {
      const skip = skipReason(msg, this.deps.filter);
      if (skip) {
        logger.debug(`Not forwarding ${msg.key?.id ?? '?'} from ${msg.key?.remoteJid ?? '?'}: ${skip}.`);
        continue;
      }
      const payload = normaliseMessage(msg, account);
      const bodies: AcceptedMessage['bodies'] = {};
      for (const d of destinations) bodies[d.destination] = d.bodyFor(payload, msg);
      accepted.push({ chat: payload.chat, messageId: payload.id, bodies });
    }
    if (accepted.length === 0) return;
    let touched;
    try {
      touched = outbox.accept(accepted, Date.now());
    } catch (error) {
      logger.error(`Could not store ${accepted.length} incoming message(s) in the state file: ${(error as Error).message}. Check free disk space in the data folder.`);
      return;
    }
    logger.debug(`Accepted ${accepted.length} message(s) (${type}).`);
    this.deps.bus.emit('accepted', { count: accepted.length });
    for (const d of destinations) {
      const chats = touched.get(d.destination);
      if (chats) d.wake(chats);
    }
  }
}
