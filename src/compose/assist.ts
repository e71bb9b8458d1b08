import { createAssist, type Assist } from '../assist/assist.js';
import { AssistFollowUps } from '../assist/assist-followup.js';
import type { Bus } from '../bus.js';
import type { Options } from '../config/options.js';
import type { Destination } from '../delivery/destination.js';
import type { Directory } from '../directory/directory.js';
import type { Logger } from '../logging/logger.js';
import type { MessageSender } from '../outgoing/message-sender.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { BridgeState } from './state.js';

export interface AssistFeatureDeps {
  state: BridgeState;
  options: Options;
  destinations: readonly Destination[];
  connection: WhatsAppConnection;
  directory: Directory;
  sender: MessageSender;
  /** Whether media messages are downloaded at all (`media_download`). */
  downloadsMedia: boolean;
  supervisor: SupervisorClient | null;
  bus: Bus;
  logger: Logger;
}

/**
 * Home Assistant's Assist answering in WhatsApp, or null when `assist_chats` leaves it off.
 * Built after forwarding, so its listener on the connection runs after the intake committed.
 */
export function createAssistFeature(deps: AssistFeatureDeps): Assist | null {
  const { state, options, connection, directory, sender } = deps;
  return createAssist({
    options: options.assist,
    language: options.voice.language,
    // Own and group messages are downloaded only when forwarded (intake/message-filter.ts).
    transcribes: ({ fromMe, group }) =>
      deps.downloadsMedia && options.voice.entity !== null && (!fromMe || options.forwardOwnMessages) && (!group || options.forwardGroups),
    // A voice note's file may take media_wait (at least 30 s) to come, its transcript voice_to_text_timeout more.
    transcriptWaitMs: Math.max(options.media.waitMs, 30_000) + options.voice.timeoutMs,
    supervisor: deps.supervisor,
    connection,
    bus: deps.bus,
    conversations: state.assistConversations,
    followUps: new AssistFollowUps({ outbox: state.outbox, destinations: deps.destinations }),
    account: () => ({
      phoneJid: connection.status.account?.jid ?? null,
      lidJid: connection.status.account?.lid ?? null,
      phoneForLid: (lid) => state.auth.phoneForLid(lid),
    }),
    sentByBridge: (id) => state.sentIds.has(id),
    groupNamed: (name) => {
      const match = directory.groupNamed(name);
      return match.kind === 'one' ? match.jid : null;
    },
    send: (body) => sender.send(body),
    thinking: (to, work) => sender.thinking(to, work),
    logger: deps.logger,
  });
}
