import { SendError } from '../send-error.js';

/** Every key that makes (part of) a message; a kind sent on its own allows only some of them beside it. */
const CONTENT_KEYS = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'caption',
  'file_name',
  'mimetype',
  'voice',
  'poll',
  'location',
  'contact',
  'reaction',
  'edit',
  'delete',
  'read',
  'reply_to',
] as const;

/** Refuses `body` when it holds content keys besides `key` other than `allowed` (e.g. a location with a text). */
export function sentAlone(body: Record<string, unknown>, key: string, what: string, allowed: readonly string[] = []): void {
  const other = CONTENT_KEYS.filter((k) => k !== key && !allowed.includes(k) && body[k] !== undefined && body[k] !== null);
  if (other.length) throw new SendError(400, `${what} is sent on its own: drop ${other.map((k) => `'${k}'`).join(' and ')}, or send it in another message.`);
}

/** A message id as the API answered it or a webhook body carried it. */
export function messageId(value: unknown, key: string, what: string): string {
  if (typeof value !== 'string' || !/^[\w-]{1,128}$/.test(value.trim())) throw new SendError(400, `'${key}' must be the id of ${what}.`);
  return value.trim();
}
