import type { WAMessage } from '@whiskeysockets/baileys';
import type { MediaOptions } from '../config/options.js';
import type { ForwardedMessage } from '../payload/message-payload.js';
import { tooLarge } from './media-download.js';
import { isViewOnce, unfetchable } from './media-failure.js';
import { mediaIn } from './media-info.js';
import type { MediaDownloader } from './media-downloader.js';
import type { MediaJob, MediaJobs } from './media-jobs.js';

/** A download decided on in the intake, committed with its message. */
export type NewMediaJob = Omit<MediaJob, 'attempts' | 'nextAttemptAt' | 'createdAt' | 'releasedTo'>;

/**
 * The intake's view of media: decides, without any I/O, whether a message's file is downloaded
 * (then its rows are held and a job is committed with it), refused as too large or as a file
 * that cannot be fetched (no key or URL, as view-once and channel media come), or not wanted.
 */
export class MediaIntake {
  constructor(
    private readonly options: MediaOptions,
    private readonly jobs: MediaJobs,
    private readonly downloader: MediaDownloader,
  ) {}

  /** A job to commit with the message, or null; sets `media.error` for a file that will not be fetched. */
  prepare(msg: WAMessage, message: ForwardedMessage): NewMediaJob | null {
    const media = message.payload.media;
    if (!media || !this.options.download) return null;
    if (media.size !== null && media.size > this.options.maxBytes) {
      media.error = tooLarge(this.options.maxBytes).message;
      return null;
    }
    const found = mediaIn(msg);
    if (!found) return null; // a view-once placeholder: its media says so already
    // A file that can never be fetched ends now: nothing to retry, nothing for the chat to wait for.
    const cannot = unfetchable(found, isViewOnce(msg, found));
    if (cannot) {
      media.error = cannot.error;
      if (cannot.content) message.payload.content = cannot.content;
      return null;
    }
    // Only what the download needs: the key and the media part, without the message's other content.
    const source = { key: msg.key, message: { [found.contentType]: found.content } } as WAMessage;
    return { chat: message.payload.chat, messageId: message.payload.id, source, message };
  }

  /** Inside the intake's transaction: the job is durable exactly when its message is. */
  store(job: NewMediaJob, now: number): void {
    this.jobs.add(job, now);
  }

  /** After the commit: the downloads can start. */
  started(jobs: readonly NewMediaJob[], now: number): void {
    this.downloader.add(jobs.map((job) => ({ ...job, attempts: 0, createdAt: now, nextAttemptAt: now, releasedTo: null })));
  }
}
