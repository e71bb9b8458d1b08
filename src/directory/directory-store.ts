import type { Db } from '../state/database.js';

/** A group the account is in, as the directory keeps it. */
export interface DirectoryGroup {
  jid: string;
  subject: string;
  members: number;
  /** Whether the account is an admin of it. */
  admin: boolean;
}

/** Someone the bridge heard from: `jid` is the phone JID when known, else the LID. */
export interface DirectoryContact {
  jid: string;
  phoneJid: string | null;
  lid: string | null;
  pushName: string | null;
  /** Unix seconds of their latest message. */
  lastMessageAt: number;
}

/** When the last full group fetch answered (ms), kept across restarts so a restart loop cannot repeat it. */
const FETCHED_AT_KEY = 'directory_groups_fetched_at';

/** The directory's two tables (migration 9 in state/database.ts). */
export class DirectoryStore {
  constructor(private readonly db: Db) {}

  groups(): DirectoryGroup[] {
    const rows = this.db.prepare('SELECT jid, subject, members, admin FROM directory_groups').all() as Array<Omit<DirectoryGroup, 'admin'> & { admin: number }>;
    return rows.map((r) => ({ ...r, admin: r.admin === 1 }));
  }

  contacts(): DirectoryContact[] {
    return this.db
      .prepare('SELECT jid, phone_jid AS phoneJid, lid, push_name AS pushName, last_message_at AS lastMessageAt FROM directory_contacts')
      .all() as DirectoryContact[];
  }

  hasGroup(jid: string): boolean {
    return this.db.prepare('SELECT 1 FROM directory_groups WHERE jid = ?').get(jid) !== undefined;
  }

  /**
   * Every group at once, after a full fetch: the ones not listed any more are gone. The groups in
   * `keep` changed while the fetch was under way: their rows are newer than its answer and stay.
   */
  replaceGroups(groups: readonly DirectoryGroup[], now: number, keep: ReadonlySet<string>): void {
    this.db.transaction(() => {
      for (const { jid } of this.db.prepare('SELECT jid FROM directory_groups').all() as Array<{ jid: string }>) {
        if (!keep.has(jid)) this.removeGroup(jid);
      }
      for (const group of groups) if (!keep.has(group.jid)) this.insertGroup(group);
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(FETCHED_AT_KEY, String(now));
    })();
  }

  /** Null when the groups were never fetched in full. */
  fetchedAt(): number | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(FETCHED_AT_KEY) as { value: string } | undefined;
    return row ? Number(row.value) : null;
  }

  /** Everything, and the time of the last full fetch: the account was unlinked. */
  clear(): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM directory_groups').run();
      this.db.prepare('DELETE FROM directory_contacts').run();
      this.db.prepare('DELETE FROM meta WHERE key = ?').run(FETCHED_AT_KEY);
    })();
  }

  upsertGroup(group: DirectoryGroup): void {
    this.insertGroup(group);
  }

  /** No write when the subject is unchanged (the full fetch's own groups.update repeats every subject). */
  renameGroup(jid: string, subject: string): void {
    this.db.prepare('UPDATE directory_groups SET subject = ? WHERE jid = ? AND subject IS NOT ?').run(subject, jid, subject);
  }

  removeGroup(jid: string): void {
    this.db.prepare('DELETE FROM directory_groups WHERE jid = ?').run(jid);
  }

  /** One transaction for a batch of contacts: a name or address already known is kept when the new one lacks it. */
  writeContacts(contacts: Iterable<DirectoryContact>): void {
    const upsert = this.db.prepare(
      `INSERT INTO directory_contacts (jid, phone_jid, lid, push_name, last_message_at) VALUES (@jid, @phoneJid, @lid, @pushName, @lastMessageAt)
       ON CONFLICT (jid) DO UPDATE SET phone_jid = coalesce(excluded.phone_jid, phone_jid), lid = coalesce(excluded.lid, lid),
         push_name = coalesce(excluded.push_name, push_name), last_message_at = max(excluded.last_message_at, last_message_at)`,
    );
    this.db.transaction(() => {
      for (const contact of contacts) upsert.run(contact);
    })();
  }

  private insertGroup(group: DirectoryGroup): void {
    this.db
      .prepare('INSERT OR REPLACE INTO directory_groups (jid, subject, members, admin) VALUES (?, ?, ?, ?)')
      .run(group.jid, group.subject, group.members, group.admin ? 1 : 0);
  }
}
