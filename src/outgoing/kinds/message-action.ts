import { SendError } from '../send-error.js';
import { messageId, sentAlone } from './alone.js';

/** A send about a message already in the chat: a reaction to it, an edit or deletion of one the bridge sent, or a read mark. */
export type MessageAction =
  | { readonly kind: 'reaction'; readonly id: string; readonly emoji: string }
  | { readonly kind: 'edit'; readonly id: string; readonly text: string }
  | { readonly kind: 'delete'; readonly id: string }
  | { readonly kind: 'read'; readonly id: string };

const MAX_TEXT_LENGTH = 65_536;
const REACTION_SHAPE = `'reaction' must be {"id": "<message id>", "emoji": "👍"} ("emoji": "" removes the reaction)`;

/** Reads `reaction`, `edit`, `delete` or `read`; null when the request has none of them. */
export function parseMessageAction(body: Record<string, unknown>): MessageAction | null {
  const given = (['reaction', 'edit', 'delete', 'read'] as const).filter((key) => body[key] !== undefined && body[key] !== null);
  if (given.length === 0) return null;
  if (given.length > 1) throw new SendError(400, `Send one of ${given.map((k) => `'${k}'`).join(' and ')} at a time.`);
  switch (given[0]!) {
    case 'reaction': {
      sentAlone(body, 'reaction', 'A reaction');
      const reaction = body.reaction;
      if (typeof reaction !== 'object' || reaction === null || Array.isArray(reaction)) throw new SendError(400, `${REACTION_SHAPE}.`);
      const { id, emoji } = reaction as Record<string, unknown>;
      return { kind: 'reaction', id: messageId(id, 'reaction.id', 'the message to react to'), emoji: checkedEmoji(emoji) };
    }
    case 'edit': {
      sentAlone(body, 'edit', 'An edit', ['text']);
      const text = body.text;
      if (typeof text !== 'string' || text.trim() === '') throw new SendError(400, "'edit' needs 'text': the message's new text (non-empty).");
      if (text.length > MAX_TEXT_LENGTH) throw new SendError(400, `'text' is longer than ${MAX_TEXT_LENGTH} characters.`);
      return { kind: 'edit', id: messageId(body.edit, 'edit', 'a message this app sent'), text };
    }
    case 'delete':
      sentAlone(body, 'delete', 'A deletion');
      return { kind: 'delete', id: messageId(body.delete, 'delete', 'a message this app sent') };
    case 'read':
      sentAlone(body, 'read', 'A read mark');
      return { kind: 'read', id: messageId(body.read, 'read', 'a received message') };
  }
}

/** One emoji (one grapheme: a flag, a keycap, a skin tone or a family sequence included), or "" to remove. */
function checkedEmoji(emoji: unknown): string {
  if (emoji === '') return '';
  if (typeof emoji !== 'string') throw new SendError(400, `${REACTION_SHAPE}.`);
  const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(emoji)];
  if (graphemes.length !== 1 || !/\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(emoji))
    throw new SendError(400, `'reaction.emoji' must be one emoji such as 👍 (or "" to remove the reaction), not ${JSON.stringify(emoji.slice(0, 20))}.`);
  return emoji;
}
