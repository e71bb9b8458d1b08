import type { GroupMetadata } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { BridgeEvents } from '../bus-events.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { ChatFields } from '../payload/message-payload.js';
import type { Db } from '../state/database.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import { phoneJid } from '../whatsapp/jid.js';
import { chatPage, type ChatQuery, type ChatsAnswer } from './chat-list.js';
import { DirectoryStore, type DirectoryContact } from './directory-store.js';
import { matchSubject, type GroupMatch } from './group-names.js';
import { GroupSync } from './group-sync.js';

type ParticipantRef = { id?: string; phoneNumber?: string; lid?: string };

/** The user part of a JID, without its device. */
const userOf = (jid: string) => jid.split('@')[0]!.split(':')[0]!;

/** Contacts seen are written at most this often, in one transaction (an SD card wears with every page written). */
const CONTACT_FLUSH_MS = 30_000;

export interface DirectoryDeps {
  db: Db;
  connection: WhatsAppConnection;
  bus: Bus;
  logger: Logger;
}

/**
 * The chats the bridge knows, in the state file: every group the account is in (fetched at
 * connect and on group changes, throttled: group-sync.ts) and everyone it heard from (from the
 * intake's accepted messages, written in batches). Answers GET /api/chats, the page's Chats card
 * and sends by group name. Starts before the connection, so it hears the first connect.
 */
export class Directory implements Part {
  private readonly store: DirectoryStore;
  private readonly groups: GroupSync;
  private readonly pending = new Map<string, DirectoryContact>();
  private flushTimer: NodeJS.Timeout | null = null;
  private linked = false;
  private state: ConnectionStatus['state'] | null = null;

  constructor(private readonly deps: DirectoryDeps) {
    this.store = new DirectoryStore(deps.db);
    const account = () => deps.connection.status.account;
    this.groups = new GroupSync({
      store: this.store,
      socket: () => deps.connection.openSocket,
      own: () => [account()?.jid, account()?.lid],
      logger: deps.logger,
    });
  }

  async start(): Promise<void> {
    this.listen('on');
  }

  async stop(): Promise<void> {
    this.listen('off');
    this.groups.stop();
    this.flush();
  }

  /** Joins (or leaves) the events that keep the directory current. */
  private listen(how: 'on' | 'off'): void {
    const { bus, connection } = this.deps;
    bus[how]('connection', this.onConnection);
    bus[how]('accepted', this.onAccepted);
    connection.inbound[how]('groupsUpsert', this.onGroupsUpsert);
    connection.inbound[how]('groupsUpdate', this.onGroupsUpdate);
    connection.inbound[how]('groupParticipants', this.onParticipants);
  }

  /** A page of the directory (contacts heard from since the last write included). */
  chats(query: ChatQuery): ChatsAnswer {
    this.flush();
    return chatPage(this.store.groups(), this.store.contacts(), query);
  }

  /** The group named `name` (its exact subject, case-insensitive). */
  groupNamed(name: string): GroupMatch {
    return matchSubject(this.store.groups(), name);
  }

  /** True when the directory lists the group, so a send needs no metadata call to know the account is in it. */
  isMember(jid: string): boolean {
    return this.store.hasGroup(jid);
  }

  private readonly onConnection = (status: ConnectionStatus) => {
    // Unlinked: the next link may be another account, whose chats these are not.
    if (status.state === 'logged_out' && this.state !== 'logged_out') this.guarded(() => this.forget());
    this.state = status.state;
    const linked = status.state === 'connected';
    if (linked && !this.linked) this.groups.connected();
    this.linked = linked;
  };

  private readonly onAccepted = ({ chats }: BridgeEvents['accepted'][0]) => {
    for (const chat of chats) this.heard(chat);
    if (this.pending.size > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), CONTACT_FLUSH_MS);
      this.flushTimer.unref();
    }
  };

  private readonly onGroupsUpsert = (groups: GroupMetadata[]) =>
    this.guarded(() => {
      for (const meta of groups) {
        this.groups.changed(meta.id);
        this.store.upsertGroup(this.groups.groupOf(meta));
      }
    });

  private readonly onGroupsUpdate = (updates: Partial<GroupMetadata>[]) =>
    this.guarded(() => {
      for (const update of updates) {
        // groupFetchAllParticipating repeats its whole answer as groups.update (with participants): the fetch handles those.
        if (!update.id || typeof update.subject !== 'string' || update.participants) continue;
        this.groups.changed(update.id);
        this.store.renameGroup(update.id, update.subject);
      }
    });

  /** The account left or was removed: the group goes; any other change: its metadata is read again (in turn). */
  private readonly onParticipants = ({ id, action, participants }: { id: string; action: string; participants: ParticipantRef[] }) =>
    this.guarded(() => {
      const account = this.deps.connection.status.account;
      const own = new Set([account?.jid, account?.lid].filter(Boolean).map((jid) => userOf(jid!)));
      const mine = participants.some((p) => [p.id, p.phoneNumber, p.lid].some((jid) => jid && own.has(userOf(jid))));
      this.groups.changed(id);
      if (action === 'remove' && mine) return this.store.removeGroup(id);
      this.groups.refresh(id);
    });

  /** Inside Baileys' events: a failed write (a full disk) is logged, never thrown into Baileys. */
  private guarded(change: () => void): void {
    try {
      change();
    } catch (error) {
      this.deps.logger.warn(`Chat directory: could not record a group change: ${(error as Error).message}`);
    }
  }

  /** The sender of a message, kept until the next batch write (their own messages are not the account's contacts). */
  private heard(chat: ChatFields): void {
    if (chat.from_me) return;
    const phone = chat.sender_phone ? phoneJid(chat.sender_phone) : null;
    const jid = phone ?? chat.sender_lid;
    if (!jid) return;
    const before = this.pending.get(jid);
    this.pending.set(jid, {
      jid,
      phoneJid: phone,
      lid: chat.sender_lid ?? before?.lid ?? null,
      pushName: chat.push_name ?? before?.pushName ?? null,
      lastMessageAt: Math.max(chat.timestamp, before?.lastMessageAt ?? 0),
    });
  }

  private forget(): void {
    this.pending.clear();
    this.store.clear();
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.size === 0) return;
    try {
      this.store.writeContacts(this.pending.values());
    } catch (error) {
      this.deps.logger.warn(`Chat directory: could not save ${this.pending.size} contact(s): ${(error as Error).message}`);
    }
    this.pending.clear();
  }
}
