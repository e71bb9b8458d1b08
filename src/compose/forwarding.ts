import type { Bus } from '../bus.js';
import type { Options } from '../config/options.js';
import type { Destination } from '../delivery/destination.js';
import { ConnectionEvents } from '../events/connection-events.js';
import { StatusEvents } from '../events/status-events.js';
import { Intake } from '../intake/intake.js';
import type { Logger } from '../logging/logger.js';
import type { MediaIntake } from '../media/media-intake.js';
import type { RecentMessages } from '../outgoing/recent-messages.js';
import { Polls } from '../polls/polls.js';
import type { StorageWatch } from '../state/storage-watch.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { AccountIdentity } from '../whatsapp/jid.js';
import type { BridgeState } from './state.js';

export interface ForwardingDeps {
  state: BridgeState;
  options: Options;
  destinations: readonly Destination[];
  connection: WhatsAppConnection;
  storage: StorageWatch;
  /** Where media messages' files are downloaded from; null when `media_download` is off. */
  media: MediaIntake | null;
  /** The received messages a reply may quote (the outgoing side reads them). */
  recent: RecentMessages;
  bus: Bus;
  logger: Logger;
}

/**
 * What turns WhatsApp's news into outbox rows: the intake (messages, edits, deletions, votes),
 * the status of sent messages, and the link's changes. Wired to the connection's inbound
 * events here, before it starts; the connection events are a Part of their own.
 */
export function createForwarding(deps: ForwardingDeps): { connectionEvents: ConnectionEvents | null } {
  const { state, options, destinations, connection, storage, bus, logger } = deps;
  const { outbox, auth, sentIds } = state;
  const sentByBridge = (id: string) => sentIds.has(id);
  const account = (): AccountIdentity => ({
    phoneJid: connection.status.account?.jid ?? null,
    lidJid: connection.status.account?.lid ?? null,
    phoneForLid: (lidUser) => auth.phoneForLid(lidUser),
  });
  const statusEvents = new StatusEvents({ outbox, destinations, sentByBridge, account, logger });
  const intake = new Intake({
    outbox,
    destinations,
    storeFailed: (error) => storage.failed(error),
    storing: () => storage.storing,
    durable: () => state.walSync.durable(),
    media: deps.media,
    filter: { forwardGroups: options.forwardGroups, forwardOwnMessages: options.forwardOwnMessages, sentByBridge },
    polls: new Polls(state.pollStore, logger),
    account,
    bus,
    logger,
  });
  // The intake commits first, inside Baileys' event; the rest reads what it kept.
  connection.inbound.on('messages', (messages, type) => {
    intake.accept(messages, type);
    statusEvents.fromOwnUpserts(messages);
    deps.recent.remember(messages);
  });
  connection.inbound.on('updates', (updates) => statusEvents.fromUpdates(updates));
  connection.inbound.on('receipts', (receipts) => statusEvents.fromReceipts(receipts));
  return { connectionEvents: destinations.length > 0 ? new ConnectionEvents({ bus, destinations }) : null };
}
