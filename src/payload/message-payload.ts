// The message as the bridge hands it on: the JSON contract every destination builds its body from.
// Kept apart from Baileys' types so delivery/ and destinations/ never see a WAMessage.
import type { PollPayload } from './poll-payload.js';

/** What a message is, in the payload's words. */
export type MessageType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'poll'
  | 'poll_vote'
  | 'reaction'
  | 'button_reply'
  | 'list_reply'
  | 'interactive_reply'
  | 'other';

/** Who wrote in which chat: the fields every message, edit, deletion and status body has. */
export interface ChatFields {
  sender: string;
  is_group: boolean;
  chat: string;
  timestamp: number;
  push_name: string | null;
  sender_phone: string | null;
  sender_lid: string | null;
  from_me: boolean;
}

/** The JSON body each webhook receives for a message. `sender`, `content`, `is_group` and `raw` are what the first version sent: receivers written for it rely on them. */
export interface MessagePayload extends ChatFields {
  content: string;
  event: 'message';
  id: string;
  type: MessageType;
  quoted_id: string | null;
  /** The file of an image, video, audio, document or sticker message; null for other messages. */
  media: MediaPayload | null;
  /** The poll a vote is for and what was chosen; null on every other message. */
  poll: PollPayload | null;
  /** Only on reactions: true when the sender took their reaction back (then `content` is ""). */
  reaction_removed?: boolean;
  raw: unknown;
}

/** `media` of the payload. Sizes in bytes, `sha256` hex of the decrypted file. */
export interface MediaPayload {
  mimetype: string | null;
  size: number | null;
  sha256: string | null;
  /** The sender's file name, for documents. */
  file_name: string | null;
  duration_s: number | null;
  width: number | null;
  height: number | null;
  /** A push-to-talk voice note. */
  voice: boolean;
  /** The saved file as Home Assistant sees it (e.g. /media/whatsapp/...), or null. */
  path: string | null;
  /** Where other machines fetch the file from the message API, or null. */
  url: string | null;
  /** Why there is no file (too large, expired, disk full, download failed), or null. */
  error: string | null;
  /** What Home Assistant's speech-to-text heard in a voice note (`voice_to_text`), or null. */
  transcript: string | null;
  /** Why a voice note has no transcript (engine error, too slow, Home Assistant unreachable), or null. */
  transcript_error: string | null;
  /** The file was still downloading after `media_wait`: the message went without it, a `media` event follows. */
  pending: boolean;
}

/** A message past the intake: its payload and Baileys' name for its content (e.g. `imageMessage`). */
export interface ForwardedMessage {
  payload: MessagePayload;
  rawType: string | null;
}
