import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { SendError } from '../send-error.js';
import { sentAlone } from './alone.js';

const SHAPE = `'contact' must be a vCard (text from BEGIN:VCARD to END:VCARD) or {"name": "...", "phone": "+49 151 2345678"}`;
const MAX_VCARD_LENGTH = 10_000;
const MAX_NAME_LENGTH = 256;

/** Reads `contact`; null when the request has none. The content is Baileys' `contacts` with one card (a contactMessage). */
export function parseContact(body: Record<string, unknown>): AnyMessageContent | null {
  const contact = body.contact;
  if (contact === undefined || contact === null) return null;
  sentAlone(body, 'contact', 'A contact', ['reply_to']);
  const vcard = typeof contact === 'string' ? checkedVcard(contact) : typeof contact === 'object' && !Array.isArray(contact) ? madeVcard(contact as Record<string, unknown>) : null;
  if (!vcard) throw new SendError(400, `${SHAPE}.`);
  const displayName = unescape(/^FN[;:](?:[^:\r\n]*:)?(.*)$/im.exec(vcard)?.[1] ?? '').trim();
  return { contacts: { displayName, contacts: [{ displayName, vcard }] } };
}

function checkedVcard(text: string): string {
  const vcard = text.trim();
  if (vcard.length > MAX_VCARD_LENGTH) throw new SendError(400, `'contact' is longer than ${MAX_VCARD_LENGTH} characters.`);
  if (!/^BEGIN:VCARD\r?\n/i.test(vcard) || !/\r?\nEND:VCARD$/i.test(vcard)) throw new SendError(400, `${SHAPE}.`);
  if (!/^FN[;:]/im.test(vcard)) throw new SendError(400, "'contact': the vCard has no FN line (the name WhatsApp shows), e.g. FN:Alice.");
  return vcard;
}

/**
 * A vCard 3.0 as WhatsApp's phones write one: `waid=<digits>` on the TEL line is what makes the
 * card show "Message" (and the contact's WhatsApp name) instead of only "Add contact".
 */
function madeVcard(fields: Record<string, unknown>): string {
  const { name, phone } = fields;
  if (typeof name !== 'string' || name.trim() === '') throw new SendError(400, "'contact.name' must be non-empty text.");
  if (name.length > MAX_NAME_LENGTH) throw new SendError(400, `'contact.name' is longer than ${MAX_NAME_LENGTH} characters.`);
  if (typeof phone !== 'string' && typeof phone !== 'number') throw new SendError(400, "'contact.phone' must be a phone number with country code, e.g. +49 151 2345678.");
  const shown = String(phone).trim();
  const digits = shown.replace(/[\s()./-]/g, '').replace(/^(\+|00)/, '');
  if (!/^[1-9]\d{6,14}$/.test(digits)) throw new SendError(400, `'contact.phone' must be a phone number with country code (7 to 15 digits), e.g. +49 151 2345678.`);
  const display = /^(\+|00)/.test(shown) ? shown.replace(/^00/, '+') : `+${shown}`;
  const fn = escape(name.trim());
  return ['BEGIN:VCARD', 'VERSION:3.0', `N:;${fn};;;`, `FN:${fn}`, `TEL;type=CELL;type=VOICE;waid=${digits}:${display}`, 'END:VCARD'].join('\n');
}

/** vCard 3.0 text escaping (RFC 2426 5.8.4). */
function escape(value: string): string {
  return value.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

function unescape(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}
