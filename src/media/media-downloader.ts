import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { MediaOptions } from '../config/options.js';
import type { Destination } from '../delivery/destination.js';
import type { Outbox } from '../delivery/outbox.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { ForwardedMessage, MediaPayload } from '../payload/message-payload.js';
import type { MediaTranscriber } from '../stt/transcriber.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import { downloadToFile } from './media-download.js';
import { isViewOnce, MediaFailure, reuploadFailure, unfetchable } from './media-failure.js';
import type { MediaFiles } from './media-files.js';
import { MediaFollowUps, MediaWait } from './media-followup.js';
import { mediaIn } from './media-info.js';
import type { MediaJob, MediaJobs } from './media-jobs.js';
import { mediaFilePath } from './media-path.js';
import { settleSavedFile } from './stored-type.js';

export interface MediaDownloaderDeps {
  jobs: MediaJobs;
  files: MediaFiles;
  outbox: Outbox;
  destinations: readonly Destination[];
  options: MediaOptions;
  /** The open socket, or null while not connected (downloads wait for it). */
  socket(): WASocket | null;
  /** The message API's URL of a saved file (by chat and id: a sender chooses the id). */
  urlFor(chat: string, messageId: string): string;
  /** A file was saved (retention checks the total). */
  saved(): void;
  /** Voice notes as text (`voice_to_text`); absent when off. */
  transcriber?: MediaTranscriber;
  bus: Bus;
  logger: Logger;
}

const CONCURRENCY = 2;
/** `stop` waits this long for downloads under way; an unfinished one stays a job and runs again at the next start. */
const STOP_WAIT_MS = 3_000;
/** How long the phone gets to upload expired media again. */
const REUPLOAD_TIMEOUT_MS = 60_000;
/** Network errors are retried this long after the message arrived, then the message goes without its file. */
const NETWORK_RETRY_FOR_MS = 10 * 60_000;
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 30_000, 60_000, 120_000];

/**
 * Downloads the files of committed media messages, outside Baileys' event: each job is durable
 * (media_jobs), so a restart or a kill resumes it. When a job ends, with a saved file or with
 * `media.error`, the message's held outbox rows get their final bodies and are released, so the
 * chat's later messages follow in order. A file still downloading after `media_wait` lets its
 * message go ahead with `media.pending`, and the job ends in a `media` event instead
 * (`media-followup.ts`). A voice note to transcribe ends once its transcript is in (or has
 * failed, or took too long), outside the download slots: a slow engine holds only the voice
 * note's own chat.
 */
export class MediaDownloader implements Part {
  private readonly waiting: MediaJob[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly transcribing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastErrorText: string | null = null;
  private readonly followUps: MediaFollowUps;
  private readonly wait: MediaWait;
  private readonly onConnection = (status: ConnectionStatus) => {
    if (status.state === 'connected') this.pump();
  };

  constructor(private readonly deps: MediaDownloaderDeps) {
    this.followUps = new MediaFollowUps(deps);
    this.wait = new MediaWait(deps.options.waitMs, (job) => this.goAhead(job));
  }

  get lastError(): string | null {
    return this.lastErrorText;
  }

  get lastTranscriptError(): string | null {
    return this.deps.transcriber?.lastError ?? null;
  }

  get pending(): number {
    return this.waiting.length + this.inFlight.size + this.transcribing.size;
  }

  async start(): Promise<void> {
    this.running = true;
    const jobs = this.deps.jobs.all();
    this.waiting.push(...jobs);
    for (const job of jobs) this.wait.hold(job);
    this.deps.bus.on('connection', this.onConnection);
    this.pump();
  }

  /**
   * Downloads and transcriptions under way get a moment to finish (the transcriber, stopped next,
   * cuts off the rest); every other job stays in the state file for the next start.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wait.stop();
    this.deps.bus.off('connection', this.onConnection);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.inFlight, ...this.transcribing]), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** New jobs were committed with their messages. */
  add(jobs: readonly MediaJob[]): void {
    this.waiting.push(...jobs);
    for (const job of jobs) this.wait.hold(job);
    this.pump();
  }

  /** `media_wait` is over: the message goes without its file (a `media` event follows). */
  private goAhead(job: MediaJob): void {
    try {
      this.followUps.releasePending(job, Date.now());
      this.deps.logger.info(`Message ${job.messageId} goes ahead of its file (still downloading after media_wait); a media event follows.`);
    } catch (error) {
      this.deps.logger.error(`Message ${job.messageId} could not go ahead of its file (${(error as Error).message}); it goes once the file is in.`);
    }
  }

  private pump(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.deps.socket();
    if (!socket) return; // resumed by the next 'connected'
    const now = Date.now();
    while (this.inFlight.size < CONCURRENCY) {
      const index = this.waiting.findIndex((job) => job.nextAttemptAt <= now);
      if (index < 0) break;
      const [job] = this.waiting.splice(index, 1);
      const run = this.run(job!, socket).finally(() => {
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
    const next = Math.min(...this.waiting.map((job) => job.nextAttemptAt));
    if (Number.isFinite(next)) this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
  }

  private async run(job: MediaJob, socket: WASocket): Promise<void> {
    const stored = job.message.payload.media!;
    // Jobs stored by an older version lack the transcript fields and `pending`.
    const media: MediaPayload = { ...stored, transcript: stored.transcript ?? null, transcript_error: stored.transcript_error ?? null, pending: false };
    const { options } = this.deps;
    const kind = mediaIn(job.source)!.kind;
    const pathFor = (mimetype: string | null) =>
      mediaFilePath(options.folder, {
        chat: job.chat,
        messageId: job.messageId,
        timestamp: job.message.payload.timestamp,
        kind,
        mimetype,
        fileName: media.file_name,
      });
    const target = pathFor(media.mimetype);
    try {
      // Jobs stored by a version that did not check: a file without key or URL never comes.
      const found = mediaIn(job.source)!;
      const cannot = unfetchable(found, isViewOnce(job.source, found));
      if (cannot) throw new MediaFailure('unfetchable', cannot.error);
      const saved = await this.downloadOnce(job, socket, target);
      this.wait.done(job); // the file is in: a transcript has its own limit
      // The type the bytes show replaces the sender's claim (stored-type.ts).
      const file = await settleSavedFile(target, media.mimetype, pathFor);
      if (!this.running) return; // stopping: the job stays and runs again at the next start
      const done: MediaPayload = {
        ...media,
        mimetype: file.mimetype,
        size: saved.size,
        sha256: saved.sha256,
        path: file.path,
        url: this.deps.urlFor(job.chat, job.messageId),
        error: null,
      };
      if (this.deps.transcriber?.wants(done, kind)) this.transcribeThenFinish(job, done, saved.size);
      else this.finish(job, done, saved.size);
    } catch (error) {
      if (!this.running) return;
      const failure = error instanceof MediaFailure ? error : new MediaFailure('network', `download failed: ${(error as Error).message}`);
      // Only a network failure can heal by trying again; anything else ends the job now.
      const retryIn = RETRY_DELAYS_MS[Math.min(job.attempts, RETRY_DELAYS_MS.length - 1)]!;
      if (failure.kind === 'network' && Date.now() + retryIn < job.createdAt + NETWORK_RETRY_FOR_MS && this.running) {
        job.attempts++;
        job.nextAttemptAt = Date.now() + retryIn;
        this.deps.jobs.scheduleRetry(job, job.attempts, job.nextAttemptAt);
        this.waiting.push(job);
        if (job.attempts === 1) this.deps.logger.warn(`Media of message ${job.messageId}: ${failure.message}; retrying for up to 10 minutes.`);
        return;
      }
      this.lastErrorText = failure.message;
      const level = failure.kind === 'disk' ? 'error' : 'warn';
      const advice =
        failure.kind === 'disk' ? ` Free space in ${options.folder} or check that the folder can be written; the message is forwarded without its file.` : '';
      this.deps.logger[level](`Media of message ${job.messageId} not saved: ${failure.message}.${advice}`);
      this.finish(job, { ...media, path: null, url: null, error: failure.message }, 0);
    }
  }

  /** One download; expired media is asked for again from the phone once (rc14 does not do it itself). */
  private async downloadOnce(job: MediaJob, socket: WASocket, target: string) {
    const limits = { maxBytes: this.deps.options.maxBytes, sha256: job.message.payload.media!.sha256 };
    try {
      return await downloadToFile(job.source, target, limits);
    } catch (error) {
      if (!(error instanceof MediaFailure) || error.kind !== 'expired') throw error;
      // The new URL is built from the socket's media host, known only once it fetched media_conn.
      const reupload = socket.refreshMediaConn(false).then(() => socket.updateMediaMessage(job.source) as Promise<WAMessage>);
      job.source = await withTimeout(reupload, REUPLOAD_TIMEOUT_MS).catch((failed: unknown) => {
        throw reuploadFailure(failed, failed instanceof TimedOut, REUPLOAD_TIMEOUT_MS / 1000);
      });
      try {
        return await downloadToFile(job.source, target, limits);
      } catch (again) {
        // Gone again right after the phone uploaded it: asking once more would get the same answer.
        if (again instanceof MediaFailure && again.kind === 'expired')
          throw new MediaFailure('unfetchable', `${again.message} after the phone uploaded it again`);
        throw again;
      }
    }
  }

  /** The transcript (or why there is none) goes into `media`, and into `content` so automations on it see the words. */
  private transcribeThenFinish(job: MediaJob, media: MediaPayload, savedBytes: number): void {
    const run = this.deps
      .transcriber!.transcribe(media.path!, media, job.messageId)
      .then(({ transcript, error }) => {
        if (!this.running) return; // stopping: the job stays and runs again at the next start
        this.finish(job, { ...media, transcript, transcript_error: error }, savedBytes);
      })
      .catch((error: unknown) =>
        this.deps.logger.error(
          `Voice note ${job.messageId} could not be stored with its transcript (${(error as Error).message}); it goes out at the next start.`,
        ),
      )
      .finally(() => this.transcribing.delete(run));
    this.transcribing.add(run);
  }

  /**
   * Ends a job in one transaction: the file recorded, the job gone, the message's rows released
   * (or its `media` events queued). A voice note's transcript then goes on the bus (Assist hears it).
   */
  private finish(job: MediaJob, media: MediaPayload, savedBytes: number): void {
    this.wait.done(job);
    const content = media.transcript ? { content: media.transcript } : {};
    const message: ForwardedMessage = { ...job.message, payload: { ...job.message.payload, ...content, media } };
    const woken = this.deps.outbox.inTransaction(() => {
      if (media.path)
        this.deps.files.add({
          chat: job.chat,
          messageId: job.messageId,
          path: media.path,
          mimetype: media.mimetype,
          fileName: media.file_name,
          size: savedBytes,
          savedAt: Date.now(),
        });
      this.deps.jobs.remove(job);
      return this.followUps.settle(job, message, Date.now());
    });
    this.followUps.wake(woken, job.chat);
    if (media.path) this.deps.saved();
    const kind = mediaIn(job.source)?.kind;
    if (kind && this.deps.transcriber?.wants(media, kind)) {
      const error = media.transcript ? null : (media.transcript_error ?? media.error ?? 'no transcript');
      try {
        this.deps.bus.emit('transcript', { chat: job.chat, messageId: job.messageId, transcript: media.transcript, error });
      } catch (failed) {
        this.deps.logger.error(`The transcript of voice note ${job.messageId} could not be handed on: ${(failed as Error).message}`);
      }
    }
  }
}

class TimedOut extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimedOut('timed out')), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
