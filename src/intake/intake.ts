import type { MessageUpsertType, WAMessage } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { Destination } from '../delivery/destination.js';
import type { AcceptedMessage, Outbox } from '../delivery/outbox.js';
import type { Logger } from '../logging/logger.js';
import { skipReason, type FilterSettings } from './message-filter.js';
import { normaliseMessage, type AccountIdentity } from './normalise.js';

export interface IntakeDeps {
  outbox: Outbox;
  destinations: readonly Destination[];
  filter: FilterSettings;
  account(): AccountIdentity;
  bus: Bus;
  logger: Logger;
}

/**
 * The first thing that happens to a message WhatsApp delivers: filter, normalise, and commit it
 * to the outbox with one body per destination, in one transaction per batch, synchronously inside
 * Baileys' event so nothing is awaited between WhatsApp's delivery and the commit. Delivery
 * happens later, from the outbox.
 */
export class Intake {
  constructor(private readonly deps: IntakeDeps) {}

  accept(messages: readonly WAMessage[], type: MessageUpsertType): void {
    const { logger, outbox, destinations } = this.deps;
    const account = this.deps.account();
    const accepted: AcceptedMessage[] = [];
    for (const msg of messages) {
      const skip = skipReason(msg, this.deps.filter);
      if (skip) {
        logger.debug(`Not forwarding ${msg.key?.id ?? '?'} from ${msg.key?.remoteJid ?? '?'}: ${skip}.`);
        continue;
      }
      const message = normaliseMessage(msg, account);
      const bodies: AcceptedMessage['bodies'] = {};
      for (const d of destinations) bodies[d.name] = d.bodyFor(message);
      accepted.push({ chat: message.payload.chat, messageId: message.payload.id, bodies });
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
      const chats = touched.get(d.name);
      if (chats) d.wake(chats);
    }
  }
}
