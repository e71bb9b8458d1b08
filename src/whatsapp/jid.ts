import { isJidGroup, isLidUser, isPnUser, jidDecode, jidNormalizedUser, type WAMessageKey } from '@whiskeysockets/baileys';

// WhatsApp addresses (JIDs): a person has a phone-number JID (<digits>@s.whatsapp.net) and a LID
// (<digits>@lid, which hides the number); a group is <digits>-<digits>@g.us. A message may come
// with either form of its sender, or both; `:<device>` after the user names one of their devices.

/** The linked account's own addresses, and what it knows of others'. */
export interface AccountIdentity {
  /** The paired account's phone-number JID and LID JID (device suffix dropped). */
  phoneJid: string | null;
  lidJid: string | null;
  /** The phone number behind a LID user, when WhatsApp has told us (null otherwise). */
  phoneForLid(lidUser: string): string | null;
}

export type Recipient = { kind: 'phone'; jid: string } | { kind: 'lid'; jid: string } | { kind: 'group'; jid: string };

/** One person's two address forms, each null when not known. */
export interface Addresses {
  phone: string | null;
  lid: string | null;
}

/** The phone-number JID of a number given as digits only. */
export function phoneJid(digits: string): string {
  return `${digits}@s.whatsapp.net`;
}

/**
 * Reads the `to` of a send request: `+49 151 2345678`, digits, a phone JID, a LID JID or a
 * group JID. Returns null for anything else.
 */
export function parseRecipient(to: unknown): Recipient | null {
  if (typeof to !== 'string') return null;
  const value = to.trim();
  if (value.includes('@')) {
    if (isJidGroup(value)) return /^[\d-]+@g\.us$/.test(value) ? { kind: 'group', jid: value } : null;
    if (isLidUser(value)) return /^\d+(:\d+)?@lid$/.test(value) ? { kind: 'lid', jid: jidNormalizedUser(value) } : null;
    if (isPnUser(value)) return /^\d{6,15}(:\d+)?@s\.whatsapp\.net$/.test(value) ? { kind: 'phone', jid: jidNormalizedUser(value) } : null;
    return null;
  }
  const digits = phoneDigits(value);
  return digits ? { kind: 'phone', jid: phoneJid(digits) } : null;
}

/** The digits of a phone number written with its country code (`+49 151 2345678`, `0049-151-…`), or null when it is not 6 to 15 digits. */
export function phoneDigits(text: string): string | null {
  const digits = text
    .trim()
    .replace(/[\s().-]/g, '')
    .replace(/^\+/, '')
    .replace(/^00/, '');
  return /^\d{6,15}$/.test(digits) ? digits : null;
}

/** The user JIDs (no device part) among `candidates`, the missing ones left out. */
export function userJids(candidates: ReadonlyArray<string | null | undefined>): string[] {
  return candidates.filter((jid): jid is string => Boolean(jid)).map(jidNormalizedUser);
}

/** The phone JID and LID JID among a message's addresses, looking the phone up when only the LID came. */
export function userAddresses(candidates: ReadonlyArray<string | null | undefined>, account: AccountIdentity): Addresses {
  const jids = userJids(candidates);
  const lid = jids.find((jid) => isLidUser(jid)) ?? null;
  const phone = jids.find((jid) => isPnUser(jid)) ?? (lid ? phoneBehind(lid, account) : null);
  return { phone, lid };
}

/**
 * The user JIDs (phone and/or LID, no device part) of whoever sent the message with `key`: the
 * account's own for its messages, else the addresses the message came with, plus the phone
 * Baileys knows for a LID that came alone. A poll vote is encrypted for one of these forms, and
 * which one is not said.
 */
export function senderJids(key: WAMessageKey, account: AccountIdentity): string[] {
  const candidates = key.fromMe
    ? [account.phoneJid, account.lidJid]
    : isJidGroup(key.remoteJid ?? undefined)
      ? [key.participant, key.participantAlt]
      : [key.remoteJid, key.remoteJidAlt];
  const jids = userJids(candidates);
  const lid = jids.find((jid) => isLidUser(jid));
  const phone = lid && jids.length === 1 ? phoneBehind(lid, account) : null;
  return [...new Set(phone ? [...jids, phone] : jids)];
}

function phoneBehind(lid: string, account: AccountIdentity): string | null {
  const user = account.phoneForLid(jidDecode(lid)!.user);
  return user ? phoneJid(user) : null;
}
