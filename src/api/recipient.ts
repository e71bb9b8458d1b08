import { isJidGroup, isLidUser, isPnUser, jidNormalizedUser } from '@whiskeysockets/baileys';

export type Recipient = { kind: 'phone'; jid: string } | { kind: 'lid'; jid: string } | { kind: 'group'; jid: string };

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
  const digits = value
    .replace(/[\s().-]/g, '')
    .replace(/^\+/, '')
    .replace(/^00/, '');
  return /^\d{6,15}$/.test(digits) ? { kind: 'phone', jid: `${digits}@s.whatsapp.net` } : null;
}
