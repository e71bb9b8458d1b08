import type { GroupMatch } from '../directory/group-names.js';
import { parseRecipient, type Recipient } from '../whatsapp/jid.js';
import { SendError } from './send-error.js';

/** What the chat directory answers about groups (src/directory/directory.ts). */
export interface GroupLookup {
  groupNamed(name: string): GroupMatch;
  /** True when the directory lists the group: the account is in it. */
  isMember(jid: string): boolean;
}

export const BAD_RECIPIENT =
  '\'to\' must be a phone number with country code (+49 151 2345678), a phone JID, a LID JID, a group JID or {"group": "<the group\'s subject>"}.';

/**
 * The `to` of a send request: an address (whatsapp/jid.ts), or `{"group": "Family"}`, the group
 * of that exact subject (case-insensitive) among the directory's: none is a 404 naming the
 * closest subjects, several a 409 listing their JIDs.
 */
export function recipientOf(to: unknown, groups: GroupLookup): Recipient {
  if (typeof to !== 'object' || to === null || Array.isArray(to)) {
    const recipient = parseRecipient(to);
    if (!recipient) throw new SendError(400, BAD_RECIPIENT);
    return recipient;
  }
  const name = (to as Record<string, unknown>).group;
  if (typeof name !== 'string' || name.trim() === '' || Object.keys(to).length !== 1) throw new SendError(400, BAD_RECIPIENT);
  const match = groups.groupNamed(name);
  if (match.kind === 'one') return { kind: 'group', jid: match.jid };
  const quoted = JSON.stringify(name.trim().slice(0, 100));
  if (match.kind === 'many')
    throw new SendError(409, `${match.jids.length} groups are named ${quoted}: send to one of their JIDs instead: ${match.jids.join(', ')}.`);
  const closest = match.closest.length
    ? ` The closest: ${match.closest.map((s) => JSON.stringify(s)).join(', ')}.`
    : ' The app knows no groups yet (see GET /api/chats).';
  throw new SendError(404, `This account is in no group named ${quoted}.${closest}`);
}
