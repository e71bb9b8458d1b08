import { areJidsSameUser, type GroupMetadata, type WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';
import type { DirectoryGroup, DirectoryStore } from './directory-store.js';

/** At most one full fetch of every group per this interval, across reconnects and restarts. */
export const FULL_FETCH_INTERVAL_MS = 15 * 60_000;
/** Between two calls for one group's metadata (a member joined, the account was added). */
export const METADATA_SPACING_MS = 2_000;
/** After WhatsApp answered `rate-overlimit`: no group call for this long, doubled each time up to the cap. */
const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 30 * 60_000;

export interface GroupSyncDeps {
  store: DirectoryStore;
  socket(): WASocket | null;
  /** The account's own phone JID and LID (to find it among a group's members). */
  own(): Array<string | null | undefined>;
  logger: Logger;
  now?: () => number;
}

/** WhatsApp's answer to group metadata calls made too often (Baileys #2148): a Boom with `data: 429`. */
export function isRateOverlimit(error: unknown): boolean {
  return (error as Error).message === 'rate-overlimit' || (error as { data?: unknown }).data === 429;
}

/** The account is not (or no longer) in the group: WhatsApp answers 403 forbidden or 404 item-not-found. */
function isNotMember(error: unknown): boolean {
  const code = (error as { data?: unknown; output?: { statusCode?: number } }).data ?? (error as { output?: { statusCode?: number } }).output?.statusCode;
  return code === 403 || code === 404 || /forbidden|item-not-found/.test((error as Error).message);
}

/**
 * Keeps the directory's groups from WhatsApp without tripping its rate limit: one full fetch at
 * connect at most every 15 minutes (the time is in the state file), single groups fetched one at
 * a time with 2 s between calls, and on `rate-overlimit` no call at all for a while (1 minute,
 * doubling up to 30) while the cached groups keep answering.
 */
export class GroupSync {
  private readonly due = new Set<string>();
  private fullDue = false;
  /** The groups an event changed while a full fetch was under way (null when none is). */
  private changedDuringFetch: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private backoffMs = 0;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: GroupSyncDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The link opened: a full fetch unless one answered within the interval. */
  connected(): void {
    const fetchedAt = this.deps.store.fetchedAt();
    if (fetchedAt !== null && this.now() - fetchedAt < FULL_FETCH_INTERVAL_MS) return;
    this.fullDue = true;
    this.pump();
  }

  /** An event changed the group's row: a full fetch under way must not overwrite it with its older answer. */
  changed(jid: string): void {
    this.changedDuringFetch?.add(jid);
  }

  /** One group's metadata is asked for again (in turn, spaced). */
  refresh(jid: string): void {
    this.due.add(jid);
    this.pump();
  }

  /** A group as the directory keeps it, from WhatsApp's metadata. */
  groupOf(meta: GroupMetadata): DirectoryGroup {
    const own = this.deps.own().filter((jid): jid is string => Boolean(jid));
    const isOwn = (jid: string | undefined) => Boolean(jid) && own.some((mine) => areJidsSameUser(jid, mine));
    const me = (meta.participants ?? []).find((p) => isOwn(p.id) || isOwn(p.phoneNumber) || isOwn(p.lid));
    return { jid: meta.id, subject: meta.subject ?? '', members: meta.size ?? meta.participants?.length ?? 0, admin: Boolean(me?.admin) };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.stopped || this.busy || this.timer || (!this.fullDue && this.due.size === 0)) return;
    const socket = this.deps.socket();
    if (!socket) return; // the next connect asks again
    this.busy = true;
    void this.callOnce(socket).finally(() => {
      this.busy = false;
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.backoffMs || METADATA_SPACING_MS);
      this.timer.unref();
    });
  }

  private async callOnce(socket: WASocket): Promise<void> {
    const { store, logger } = this.deps;
    const full = this.fullDue;
    const jid = full ? null : this.due.values().next().value!;
    try {
      if (full) {
        const changed = (this.changedDuringFetch = new Set());
        const groups = Object.values(await socket.groupFetchAllParticipating()).map((meta) => this.groupOf(meta));
        store.replaceGroups(groups, this.now(), changed);
        this.fullDue = false;
        logger.info(`Chat directory: ${groups.length} group(s) from WhatsApp.`);
      } else {
        this.due.delete(jid!);
        store.upsertGroup(this.groupOf(await socket.groupMetadata(jid!)));
      }
      this.backoffMs = 0;
      this.changedDuringFetch = null;
    } catch (error) {
      this.changedDuringFetch = null;
      if (isRateOverlimit(error)) {
        if (jid) this.due.add(jid);
        this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : FIRST_BACKOFF_MS);
        logger.warn(
          `Chat directory: WhatsApp answered rate-overlimit to a group query; no group query for ${Math.round(this.backoffMs / 60_000)} min, the cached groups keep answering.`,
        );
      } else if (jid && isNotMember(error)) {
        store.removeGroup(jid);
      } else {
        logger.warn(`Chat directory: could not read ${jid ? `group ${jid}` : 'the groups'} from WhatsApp: ${(error as Error).message}`);
        if (full) this.fullDue = false; // the next connect tries again
      }
    }
  }
}
