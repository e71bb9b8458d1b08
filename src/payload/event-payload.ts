// The bodies that are not new messages: an edit, a deletion, a read receipt, a change of the link,
// the file of a message that went ahead of it, Assist's answer to a message.
// Each has `event`, which names its kind; `webhook_events` picks the kinds the webhook gets.
import type { ChatFields, ForwardedMessage, MediaPayload } from './message-payload.js';

export const EVENT_KINDS = ['message', 'media', 'edit', 'delete', 'status', 'connection', 'assist'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A contact (or the account, from the phone) corrected a message. */
export interface EditPayload extends ChatFields {
  event: 'edit';
  /** The edited message's id. */
  id: string;
  /** Its new text, described as a message's content is. */
  content: string;
  /** The edit's own id. */
  edit_id: string;
  raw: unknown;
}

/** A message was deleted for everyone; the sender fields name whose message it was. */
export interface DeletePayload extends ChatFields {
  event: 'delete';
  /** The deleted message's id. */
  id: string;
  /** Who deleted it: its author, or a group admin. */
  deleted_by: string;
  raw: unknown;
}

export type DeliveryStatus = 'delivered' | 'read' | 'played';

/** A recipient's receipt for a message this app sent through /api/send. */
export interface StatusPayload extends ChatFields {
  event: 'status';
  /** The sent message's id. */
  id: string;
  status: DeliveryStatus;
  /** Who delivered, read or played it (each participant on its own in groups). */
  recipient: string;
}

/**
 * The file of a message that went out with `media.pending: true`: saved, or why not. The chat
 * fields are the message's; `content` is the message's as it ends (a voice note's transcript).
 */
export interface MediaEventPayload extends ChatFields {
  event: 'media';
  /** The message's id. */
  id: string;
  content: string;
  media: MediaPayload;
}

/** What Assist did with a message (src/assist/): what Home Assistant's agent answered, or why no answer came. */
export interface AssistOutcome {
  /** The agent's answer kind; null when no answer came (then `error` says why). */
  response_type: 'action_done' | 'query_answer' | 'error' | null;
  /** What the person was sent: the agent's speech, or "Home Assistant is not answering right now." */
  speech: string;
  /** The conversation Home Assistant keeps for the chat, or null. */
  conversation_id: string | null;
  /** Why no answer came (Home Assistant restarting, the agent missing, too slow); null when the agent answered. */
  error: string | null;
  /** The id of the reply sent in the chat; null when it could not be sent. */
  reply_id: string | null;
}

/**
 * Assist answered a message (a text, or a voice note from its transcript). The chat fields are
 * the question's; queued behind the message itself, in the chat's order.
 */
export interface AssistEventPayload extends ChatFields {
  event: 'assist';
  /** The question's message id. */
  id: string;
  /** What the agent was asked: the text (a group's without the prefix), or the voice note's transcript. */
  question: string;
  assist: AssistOutcome;
}

/** The link to WhatsApp changed. */
export interface ConnectionPayload {
  event: 'connection';
  state: 'connected' | 'disconnected' | 'logged_out' | 'qr_required' | 'passkey_required';
  reason: string | null;
  code: number | null;
  phone: string | null;
  /** ISO 8601 time of the change. */
  at: string;
}

export type EventPayload = MediaEventPayload | EditPayload | DeletePayload | StatusPayload | ConnectionPayload | AssistEventPayload;

/** Anything a destination may be handed: a message, or one of the other kinds. */
export type Forwarded = ForwardedMessage | { payload: EventPayload; rawType: null };
