import type { Bus } from '../bus.js';
import type { Options } from '../config/options.js';
import type { Destination } from '../delivery/destination.js';
import type { Logger } from '../logging/logger.js';
import { MediaDownloader } from '../media/media-downloader.js';
import { MediaIntake } from '../media/media-intake.js';
import { MediaRetention } from '../media/media-retention.js';
import { PrivateMedia } from '../media/private-media.js';
import type { Db } from '../state/database.js';
import { voiceTranscriber } from '../stt/transcriber.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { BridgeState } from './state.js';

export interface MediaDeps {
  db: Db;
  state: BridgeState;
  options: Options;
  destinations: readonly Destination[];
  connection: WhatsAppConnection;
  /** Where the message API serves a saved file (its bound port is known once it started). */
  urlFor(chat: string, messageId: string): string;
  supervisor: SupervisorClient | null;
  bus: Bus;
  logger: Logger;
}

/**
 * Received files: their downloads (durable jobs, released to the destinations once saved),
 * voice notes as text, retention, and the folder's permissions. `intake` is what the message
 * intake hands media messages to; null when `media_download` is off.
 */
export function createMedia(deps: MediaDeps) {
  const { state, options, logger } = deps;
  const retention = new MediaRetention({ files: state.mediaFiles, options: options.media, logger });
  const transcriber = voiceTranscriber(options.voice, deps.supervisor, logger);
  const downloader = new MediaDownloader({
    jobs: state.mediaJobs,
    files: state.mediaFiles,
    outbox: state.outbox,
    destinations: deps.destinations,
    options: options.media,
    socket: () => deps.connection.openSocket,
    urlFor: deps.urlFor,
    saved: () => void retention.schedule(),
    transcriber,
    bus: deps.bus,
    logger,
  });
  return {
    downloader,
    intake: options.media.download ? new MediaIntake(options.media, state.mediaJobs, downloader) : null,
    /** In start order: the transcriber stops after the downloader let its work finish. */
    parts: [retention, new PrivateMedia({ db: deps.db, folder: options.media.folder, logger }), ...(transcriber ? [transcriber] : []), downloader],
  };
}
