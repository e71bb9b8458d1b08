import { MEDIA_KEYS } from './media-request.js';
import { SendError } from './send-error.js';

/** The poll part of a send request, checked. */
export interface PollRequest {
  question: string;
  options: string[];
  /** Voters may choose several options (else exactly one). */
  multiple: boolean;
}

// WhatsApp's apps allow 2 to 12 options; the lengths are those of its poll editor.
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 12;
const MAX_QUESTION_LENGTH = 255;
const MAX_OPTION_LENGTH = 100;
/** Keys that make another kind of message: a poll has no text, caption or file. */
const OTHER_CONTENT = ['text', ...MEDIA_KEYS, 'caption', 'file_name', 'mimetype', 'voice'];
const SHAPE = `'poll' must be {"question": "...", "options": ["...", "..."], "multiple": false}`;

/** Reads `poll`; null when the request has none. */
export function parsePollRequest(body: Record<string, unknown>): PollRequest | null {
  const poll = body.poll;
  if (poll === undefined || poll === null) return null;
  if (typeof poll !== 'object' || Array.isArray(poll)) throw new SendError(400, `${SHAPE}.`);
  const other = OTHER_CONTENT.filter((key) => body[key] !== undefined && body[key] !== null);
  if (other.length) throw new SendError(400, `A poll is sent on its own: drop ${other.map((key) => `'${key}'`).join(' and ')}, or send it in another message.`);
  const { question, options, multiple = false } = poll as Record<string, unknown>;
  if (typeof question !== 'string' || question.trim() === '') throw new SendError(400, "'poll.question' must be non-empty text.");
  if (question.length > MAX_QUESTION_LENGTH) throw new SendError(400, `'poll.question' is longer than ${MAX_QUESTION_LENGTH} characters.`);
  if (typeof multiple !== 'boolean') throw new SendError(400, "'poll.multiple' must be true (voters may choose several options) or false.");
  return { question, options: parseOptions(options), multiple };
}

function parseOptions(options: unknown): string[] {
  if (!Array.isArray(options)) throw new SendError(400, `'poll.options' must be a list of ${MIN_OPTIONS} to ${MAX_OPTIONS} texts.`);
  if (options.length < MIN_OPTIONS || options.length > MAX_OPTIONS)
    throw new SendError(400, `'poll.options' has ${options.length} options: a poll has ${MIN_OPTIONS} to ${MAX_OPTIONS}.`);
  const seen = new Set<string>();
  options.forEach((option, i) => {
    if (typeof option !== 'string' || option.trim() === '') throw new SendError(400, `'poll.options[${i}]' must be non-empty text.`);
    if (option.length > MAX_OPTION_LENGTH) throw new SendError(400, `'poll.options[${i}]' is longer than ${MAX_OPTION_LENGTH} characters.`);
    // A vote names options by the hash of their text: two equal options could not be told apart.
    if (seen.has(option)) throw new SendError(400, `'poll.options' has "${option}" twice: every option must be different.`);
    seen.add(option);
  });
  return options as string[];
}
