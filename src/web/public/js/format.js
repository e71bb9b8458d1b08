// @ts-check
// How times, numbers and chats read on the page.
import { appNow } from './state.js';

export const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** @param {number} ms epoch ms */
export function ago(ms) {
  const s = Math.round((appNow() - ms) / 1000);
  if (s < 45) return relative.format(-Math.max(0, s), 'second');
  if (s < 2700) return relative.format(-Math.round(s / 60), 'minute');
  if (s < 86400 * 1.5) return relative.format(-Math.round(s / 3600), 'hour');
  return relative.format(-Math.round(s / 86400), 'day');
}

/** @param {number | null} seconds */
export function duration(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** @param {number} ms epoch ms */
export function secondsUntil(ms) {
  return Math.max(0, Math.ceil((ms - appNow()) / 1000));
}

/**
 * "3 deliveries", "1 delivery".
 * @param {number} n
 */
export function deliveriesCount(n) {
  return `${n} ${n === 1 ? 'delivery' : 'deliveries'}`;
}

/**
 * "4915112345678" -> "+4915112345678" (no grouping: country codes have different lengths).
 * @param {string} digits
 */
export function phone(digits) {
  return digits ? `+${String(digits).replace(/^\+/, '')}` : '–';
}

/**
 * A chat JID as a person reads it.
 * @param {string} chat
 */
export function chatLabel(chat) {
  if (chat === 'test') return 'Test send';
  const [user, server] = String(chat).split('@');
  if (server === 's.whatsapp.net') return phone(user);
  if (server === 'g.us') return 'Group';
  if (server === 'lid') return 'Contact (hidden number)';
  return chat;
}

/**
 * Short, stable value that changes with the QR string (cache-busting for api/qr.svg).
 * @param {string} text
 */
export function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * "ABCD1234" -> "ABCD-1234".
 * @param {string} code
 */
export function groupCode(code) {
  const c = String(code)
    .replace(/[^0-9A-Za-z]/g, '')
    .toUpperCase();
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
}
