import { getAllBinaryNodeChildren, type BinaryNode } from '@whiskeysockets/baileys';
import type { Account } from './account.js';
import type { Contact } from './contacts.js';
import type { Group } from './types.js';

/** What answering the groups' iqs (`xmlns="w:g2"`) needs to know. */
export interface GroupIqContext {
  readonly account: Account;
  group(jid: string): Group | undefined;
  /** Every group the simulator made (the account may have left some). */
  groups(): Iterable<Group>;
  /** While true, every group query is answered `rate-overlimit`. */
  rateLimited(): boolean;
}

const node = (tag: string, attrs: Record<string, string> = {}, content?: BinaryNode[]): BinaryNode => ({ tag, attrs, ...(content ? { content } : {}) });
const seconds = () => String(Math.floor(Date.now() / 1000));

/**
 * Answers a `w:g2` get: `participating` (Baileys' groupFetchAllParticipating) lists the groups the
 * account is in; a `query` to a group JID (groupMetadata) answers that group, or 403 forbidden
 * once the account left it, 404 for a group that never existed. While `rateLimited()`, both get
 * `<error code="429" text="rate-overlimit"/>`, as WhatsApp answers metadata calls made too often
 * (adiwajshing/Baileys #2148 "rate-overlimit" from groupMetadata, answered "You need to throttle
 * the calls to groupMetadata"; WhiskeySockets/Baileys #1261 the same on 6.7, `data: 429`).
 */
export function answerGroupIq(iq: BinaryNode, ctx: GroupIqContext): BinaryNode {
  const reply = (content: BinaryNode[], type = 'result'): BinaryNode => ({
    tag: 'iq',
    attrs: { id: iq.attrs.id ?? '', type, from: iq.attrs.to ?? 'g.us' },
    content,
  });
  const error = (code: string, text: string) => reply([node('error', { code, text })], 'error');
  const first = getAllBinaryNodeChildren(iq)[0];
  if (iq.attrs.type !== 'get' || (first?.tag !== 'participating' && first?.tag !== 'query')) return error('400', 'bad-request');
  if (ctx.rateLimited()) return error('429', 'rate-overlimit');
  if (first.tag === 'participating') {
    const mine = [...ctx.groups()].filter((g) => g.accountMember);
    return reply([
      node(
        'groups',
        {},
        mine.map((g) => groupNode(g, ctx.account)),
      ),
    ]);
  }
  const group = ctx.group(iq.attrs.to ?? '');
  if (!group) return error('404', 'item-not-found');
  if (!group.accountMember) return error('403', 'forbidden');
  return reply([groupNode(group, ctx.account)]);
}

/** Group metadata as `extractGroupMetadata` reads it; LID-addressed, the account included while it is a member. */
export function groupNode(group: Group, account: Account): BinaryNode {
  const admin = (c: Contact): Record<string, string> => (group.admins.includes(c) ? { type: 'admin' } : {});
  const participants = [
    ...(group.accountMember ? [node('participant', { jid: account.lidJid, phone_number: account.jid, ...(group.accountAdmin ? { type: 'admin' } : {}) })] : []),
    ...group.participants.map((p) => node('participant', { jid: p.lidJid, phone_number: p.jid, ...admin(p) })),
  ];
  return node(
    'group',
    {
      id: group.id,
      subject: group.subject,
      s_t: '1700000000',
      creation: '1700000000',
      creator: account.lidJid,
      creator_pn: account.jid,
      addressing_mode: 'lid',
    },
    participants,
  );
}

/** A `w:gp2` notification from the group, by `author` (the account when undefined), as Baileys' handleGroupNotification reads it. */
function groupNotification(group: Group, account: Account, author: Contact | undefined, child: BinaryNode): BinaryNode {
  return node(
    'notification',
    {
      from: group.jid,
      type: 'w:gp2',
      id: `gp2-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`,
      t: seconds(),
      participant: author?.lidJid ?? account.lidJid,
      participant_pn: author?.jid ?? account.jid,
      addressing_mode: 'lid',
    },
    [child],
  );
}

/** The group was created with the account in it: Baileys emits groups.upsert with its metadata. */
export function createdNotification(group: Group, account: Account, author?: Contact): BinaryNode {
  return groupNotification(group, account, author, node('create', {}, [groupNode(group, account)]));
}

/** A new subject: Baileys emits groups.update `{ id, subject }`. */
export function subjectNotification(group: Group, account: Account, author?: Contact): BinaryNode {
  return groupNotification(group, account, author, node('subject', { subject: group.subject, s_t: seconds() }));
}

/**
 * A member joined or left (`remove` with the account itself is the account leaving): Baileys
 * emits group-participants.update with `add` or `remove`.
 */
export function membersNotification(group: Group, account: Account, action: 'add' | 'remove', who: Contact | 'account', author?: Contact): BinaryNode {
  const participant = who === 'account' ? { jid: account.lidJid, phone_number: account.jid } : { jid: who.lidJid, phone_number: who.jid };
  return groupNotification(group, account, who === 'account' ? undefined : author, node(action, {}, [node('participant', participant)]));
}
