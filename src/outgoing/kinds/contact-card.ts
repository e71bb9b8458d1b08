import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { SendError } from '../send-error.js';
import { sentAlone } from './alone.js';

const SHAPE = `'contact' must be a vCard (text from BEGIN:VCARD to END:VCARD) or {"name": "...", "phone": "+49 151 2345678"}`;
const MAX_VCARD_LENGTH = 10_000;
const MAX_NAME_LENGTH = 256;

/** A contact to send: a vCard as given, or a name and number to make one of. */
export type ContactRequest = { readonly vcard: string } | { readonly name: string; readonly digits: string; readonly shown: string };

/** Reads `contact`; null when the request has none. */
export function parseContact(body: Record<string, unknown>): ContactRequest | null {
  const contact = body.contact;
  if (contact === undefined || contact === null) return null;
  sentAlone(body, 'contact', 'A contact', ['reply_to']);
  if (typeof contact === 'string') return { vcard: checkedVcard(contact) };
  if (typeof contact === 'object' && !Array.isArray(contact)) return nameAndPhone(contact as Record<string, unknown>);
  throw new SendError(400, `${SHAPE}.`);
}

/**
 * Baileys' `contacts` with one card (a contactMessage), named by the card's FN. A card made from
 * a name and number is a vCard 3.0 as WhatsApp's phones write one: `waid=<WhatsApp id>` on the
 * TEL line is what makes the card offer "Message" instead of only "Invite" (open-wa/wa-automate-nodejs
 * #272, automagik-dev/omni #330). `waid` is the user part of the JID WhatsApp answered for the
 * number, which is not always its digits (older Brazilian mobiles lack the 9); null (not on
 * WhatsApp) leaves it out.
 */
export function contactContent(request: ContactRequest, waid: string | null): AnyMessageContent {
  const vcard = 'vcard' in request ? request.vcard : madeVcard(request, waid);
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

function nameAndPhone(fields: Record<string, unknown>): ContactRequest {
  const { name, phone } = fields;
  if (typeof name !== 'string' || name.trim() === '') throw new SendError(400, "'contact.name' must be non-empty text.");
  if (name.length > MAX_NAME_LENGTH) throw new SendError(400, `'contact.name' is longer than ${MAX_NAME_LENGTH} characters.`);
  if (typeof phone !== 'string' && typeof phone !== 'number')
    throw new SendError(400, "'contact.phone' must be a phone number with country code, e.g. +49 151 2345678.");
  const given = String(phone).trim();
  const digits = given.replace(/[\s()./-]/g, '').replace(/^(\+|00)/, '');
  if (!/^[1-9]\d{6,14}$/.test(digits))
    throw new SendError(400, `'contact.phone' must be a phone number with country code (7 to 15 digits), e.g. +49 151 2345678.`);
  return { name: name.trim(), digits, shown: /^(\+|00)/.test(given) ? given.replace(/^00/, '+') : `+${given}` };
}

function madeVcard(card: { name: string; shown: string }, waid: string | null): string {
  const name = escape(card.name);
  const tel = `TEL;type=CELL;type=VOICE${waid ? `;waid=${waid}` : ''}:${card.shown}`;
  return ['BEGIN:VCARD', 'VERSION:3.0', `N:;${name};;;`, `FN:${name}`, tel, 'END:VCARD'].join('\n');
}

/** vCard 3.0 text escaping (RFC 2426 5.8.4). */
function escape(value: string): string {
  return value.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

function unescape(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}
