import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { contactContent, parseContact, type ContactRequest } from './contact-card.js';
import { parseLocation } from './location.js';

/** A location or a contact card to send. */
export type CardRequest = { readonly kind: 'location'; readonly content: AnyMessageContent } | { readonly kind: 'contact'; readonly contact: ContactRequest };

/** Reads `location` or `contact`; null when the request has neither. */
export function parseCard(body: Record<string, unknown>): CardRequest | null {
  const location = parseLocation(body);
  if (location) return { kind: 'location', content: location };
  const contact = parseContact(body);
  return contact ? { kind: 'contact', contact } : null;
}

/** The message; a contact made from a number first asks WhatsApp for the number's id (`whatsAppId`, null: not on WhatsApp). */
export async function cardContent(card: CardRequest, whatsAppId: (digits: string) => Promise<string | null>): Promise<AnyMessageContent> {
  if (card.kind === 'location') return card.content;
  const { contact } = card;
  return contactContent(contact, 'digits' in contact ? await whatsAppId(contact.digits) : null);
}
