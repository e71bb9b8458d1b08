import type { Destination } from '../delivery/destination.js';
import type { DestinationName } from '../bus-events.js';
import type { Outbox } from '../delivery/outbox.js';
import type { MediaEventPayload } from '../payload/event-payload.js';
import type { ForwardedMessage } from '../payload/message-payload.js';
import type { MediaJob, MediaJobs } from './media-jobs.js';

export interface MediaFollowUpDeps {
  outbox: Outbox;
  jobs: MediaJobs;
  destinations: readonly Destination[];
}

/**
 * What becomes of a media message's outbox rows. Until `media_wait` is over they are held (the
 * chat waits); then `releasePending` sends them with `media.pending: true` and remembers where
 * they went, in the same transaction. When the job ends, `settle` either releases the held rows
 * with their final bodies, or queues a `media` event for each destination the message went to:
 * behind everything the chat queued meanwhile, so the chat's order holds.
 */
export class MediaFollowUps {
  private readonly byName: Map<DestinationName, Destination>;

  constructor(private readonly deps: MediaFollowUpDeps) {
    this.byName = new Map(deps.destinations.map((d) => [d.name, d]));
  }

  /** The wait is over and the file is not in: the message goes now, saying a `media` event follows. */
  releasePending(job: MediaJob, now: number): void {
    const { payload } = job.message;
    const pending: ForwardedMessage = { ...job.message, payload: { ...payload, media: { ...payload.media!, pending: true } } };
    const released = this.deps.outbox.inTransaction(() => {
      const names = this.deps.outbox.release(job.chat, job.messageId, (name, body) => this.byName.get(name)?.bodyFor(pending) ?? body, now);
      this.deps.jobs.markReleased(job, names);
      return names;
    });
    job.releasedTo = released;
    this.wake(released, job.chat);
  }

  /**
   * Inside the transaction that ends the job: the held rows get `message`'s bodies and are due
   * now, or (the message went already) each destination it went to gets the `media` event.
   * Returns the destinations to wake once the transaction committed.
   */
  settle(job: MediaJob, message: ForwardedMessage, now: number): DestinationName[] {
    if (job.releasedTo === null) {
      return this.deps.outbox.release(job.chat, job.messageId, (name, body) => this.byName.get(name)?.bodyFor(message) ?? body, now);
    }
    const { sender, is_group, chat, timestamp, push_name, sender_phone, sender_lid, from_me, id, content, media } = message.payload;
    const event: MediaEventPayload = {
      sender,
      is_group,
      chat,
      timestamp,
      push_name,
      sender_phone,
      sender_lid,
      from_me,
      event: 'media',
      id,
      content,
      media: media!,
    };
    const queued: DestinationName[] = [];
    for (const name of job.releasedTo) {
      // A destination turned off since (or MQTT without a broker) wants nothing.
      const body = this.byName.get(name)?.bodyFor({ payload: event, rawType: null }) ?? null;
      if (body === null) continue;
      this.deps.outbox.enqueueFollowUp('media', name, job.chat, job.messageId, body, now);
      queued.push(name);
    }
    return queued;
  }

  wake(names: readonly DestinationName[], chat: string): void {
    for (const name of names) this.byName.get(name)?.wake([chat]);
  }
}

/**
 * The clock of `media_wait`: each job whose rows are held counts from when its message arrived
 * (`createdAt`, stored with the job, so a restart does not start the wait again). `due` runs for
 * a job still downloading when its time is up; a job whose file is in (a voice note being
 * transcribed, bounded by `voice_to_text_timeout`) or that ended leaves the clock with `done`.
 */
export class MediaWait {
  private readonly holding = new Map<MediaJob, number>();
  private timer: NodeJS.Timeout | null = null;
  private running = true;

  constructor(
    private readonly waitMs: number,
    private readonly due: (job: MediaJob) => void,
  ) {}

  hold(job: MediaJob): void {
    if (job.releasedTo !== null || !this.running) return;
    this.holding.set(job, job.createdAt + this.waitMs);
    this.schedule();
  }

  done(job: MediaJob): void {
    if (this.holding.delete(job)) this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.holding.clear();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running || this.holding.size === 0) return;
    const next = Math.min(...this.holding.values());
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - Date.now()));
  }

  private fire(): void {
    this.timer = null;
    const now = Date.now();
    for (const [job, deadline] of this.holding) {
      if (deadline > now) continue;
      this.holding.delete(job);
      this.due(job);
    }
    this.schedule();
  }
}
