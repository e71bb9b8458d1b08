import type { UrlAllowList } from '../config/url-allow-option.js';
import type { Logger } from '../logging/logger.js';
import type { PollStore } from '../polls/poll-store.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import { LoadSlots } from './admission.js';
import { MessageSender } from './message-sender.js';
import type { GroupLookup } from './recipient.js';
import type { RecentMessages } from './recent-messages.js';
import type { SentMessageIds } from './sent-messages.js';
import { UrlGuard } from './url-guard.js';

/** Home Assistant's folders a file to send may come from (config.yaml maps them), besides media_folder. */
const SENDABLE_FOLDERS = ['/media', '/share'];
/** How many sends may wait for their turn before the API answers 429. */
const SEND_QUEUE_CAPACITY = 10;
/** Files to send downloaded or decoded at once; the others wait (bounded disk and memory). */
const FILES_LOADED_AT_ONCE = 2;

/** What the options say about sending. */
export interface OutgoingSettings {
  /** send_interval, in ms. */
  sendIntervalMs: number;
  /** send_url_allow: the internal hosts a `url` to send may reach (the public internet it always may). */
  urlAllow: UrlAllowList;
  /** media_folder, where received files are saved: files in it may be sent too. */
  mediaFolder: string;
  /** media_max_size: the largest file fetched from a `url`. */
  maxDownloadBytes: number;
  /** typing_before_send: "typing…" in the chat for 1-3 s before each new message. */
  typingBeforeSend: boolean;
}

export interface OutgoingDeps {
  settings: OutgoingSettings;
  connection: WhatsAppConnection;
  /** The last received messages, which a reply may quote. */
  recent: RecentMessages;
  /** The ids of the messages the app sent, so their echo is not forwarded as received. */
  sentIds: SentMessageIds;
  /** Where a sent poll is kept, so the votes on it can be read. */
  polls: PollStore;
  /** The chat directory, for sends to a group by its name. */
  groups: GroupLookup;
  logger: Logger;
}

/**
 * The outgoing side, as the message API and the MQTT notify entities use it: a Part (its stop
 * refuses the sends still waiting) to start after the connection and stop before the servers
 * that take sends close.
 */
export function createOutgoing(deps: OutgoingDeps): MessageSender {
  const { settings } = deps;
  return new MessageSender({
    connection: deps.connection,
    recent: deps.recent,
    sentIds: deps.sentIds,
    polls: deps.polls,
    groups: deps.groups,
    typingBeforeSend: settings.typingBeforeSend,
    pacing: { intervalMs: settings.sendIntervalMs, capacity: SEND_QUEUE_CAPACITY },
    loadSlots: new LoadSlots(FILES_LOADED_AT_ONCE),
    mediaLimits: {
      allowedFolders: [...SENDABLE_FOLDERS, settings.mediaFolder],
      maxDownloadBytes: settings.maxDownloadBytes,
      urlGuard: new UrlGuard(settings.urlAllow),
    },
    logger: deps.logger,
  });
}
