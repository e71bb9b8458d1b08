import { isJidGroup, isLidUser, jidDecode, jidNormalizedUser, type WAMessageKey } from '@whiskeysockets/baileys';
import type { AccountIdentity } from '../intake/normalise.js';

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
  const jids = candidates.filter((jid): jid is string => Boolean(jid)).map(jidNormalizedUser);
  const lid = jids.find((jid) => isLidUser(jid));
  if (lid && jids.length === 1) {
    const phone = account.phoneForLid(jidDecode(lid)!.user);
    if (phone) jids.push(`${phone}@s.whatsapp.net`);
  }
  return [...new Set(jids)];
}
