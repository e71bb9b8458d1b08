import type { DirectoryContact, DirectoryGroup } from './directory-store.js';

/** One chat of GET /api/chats: a group (members, admin) or a contact (phone JID, LID, last message). */
export interface ChatEntry {
  kind: 'group' | 'contact';
  /** What `to` takes: the group JID, or the contact's phone JID (its LID when the number is unknown). */
  jid: string;
  /** The group's subject or the contact's push name (null when they never sent one). */
  name: string | null;
  members: number | null;
  admin: boolean | null;
  phone_jid: string | null;
  lid: string | null;
  /** Unix seconds of the contact's latest message. */
  last_message_at: number | null;
}

/** A page of the directory, groups first, then contacts, each by name. */
export interface ChatsAnswer {
  chats: ChatEntry[];
  /** How many chats match `q` in all. */
  total: number;
  offset: number;
  limit: number;
  /** The `offset` of the next page, null on the last. */
  next_offset: number | null;
}

export interface ChatQuery {
  q: string;
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
const MAX_QUERY_LENGTH = 100;

/** Bad query parameters, with the one line that says what to fix. */
export class ChatQueryError extends Error {}

/** `?q=`, `?limit=` (1-200, 50 unless told) and `?offset=` (`cursor` is the same: the previous page's `next_offset`). */
export function parseChatQuery(query: Record<string, unknown>): ChatQuery {
  const unknown = Object.keys(query).find((key) => !['q', 'limit', 'offset', 'cursor'].includes(key));
  if (unknown) throw new ChatQueryError(`Unknown parameter '${unknown.slice(0, 20)}': use q, limit and offset (or cursor).`);
  const q = query.q ?? '';
  if (typeof q !== 'string' || q.length > MAX_QUERY_LENGTH) throw new ChatQueryError(`'q' must be one text of at most ${MAX_QUERY_LENGTH} characters.`);
  if (query.offset !== undefined && query.cursor !== undefined) throw new ChatQueryError("Give 'offset' or 'cursor', not both.");
  return {
    q: q.trim(),
    limit: integer(query.limit, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT,
    offset: integer(query.offset ?? query.cursor, query.cursor !== undefined ? 'cursor' : 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}

function integer(value: unknown, name: string, min: number, max: number): number | null {
  if (value === undefined) return null;
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max))
    throw new ChatQueryError(`'${name}' must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}.`);
  return number;
}

/** Lower case without accents, so "familie" finds "Familie Müller" and "muller" finds it too. */
export function folded(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** The page `query` asks for: `q` matches any part of the name or an address, case-insensitive. */
export function chatPage(groups: readonly DirectoryGroup[], contacts: readonly DirectoryContact[], query: ChatQuery): ChatsAnswer {
  const byName = (a: ChatEntry, b: ChatEntry) => folded(a.name ?? '').localeCompare(folded(b.name ?? '')) || a.jid.localeCompare(b.jid);
  const entries = [
    ...groups.map(groupEntry).sort(byName),
    ...contacts.map(contactEntry).sort((a, b) => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0) || byName(a, b)),
  ];
  const needle = folded(query.q);
  const matching = needle
    ? entries.filter((e) => [e.name, e.jid, e.phone_jid, e.lid].some((field) => field !== null && folded(field).includes(needle)))
    : entries;
  const end = query.offset + query.limit;
  return {
    chats: matching.slice(query.offset, end),
    total: matching.length,
    offset: query.offset,
    limit: query.limit,
    next_offset: end < matching.length ? end : null,
  };
}

function groupEntry(g: DirectoryGroup): ChatEntry {
  return { kind: 'group', jid: g.jid, name: g.subject, members: g.members, admin: g.admin, phone_jid: null, lid: null, last_message_at: null };
}

function contactEntry(c: DirectoryContact): ChatEntry {
  return { kind: 'contact', jid: c.jid, name: c.pushName, members: null, admin: null, phone_jid: c.phoneJid, lid: c.lid, last_message_at: c.lastMessageAt };
}
