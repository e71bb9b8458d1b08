// The message as the bridge hands it on: the JSON contract every destination builds its body from.
// Kept apart from Baileys' types so delivery/ and homeassistant/ never see a WAMessage.

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

/** The JSON body each webhook receives. The first four fields are the seed's contract. */
export interface MessagePayload {
  sender: string;
  content: string;
  is_group: boolean;
  event: 'message';
  id: string;
  chat: string;
  timestamp: number;
  type: MessageType;
  push_name: string | null;
  sender_phone: string | null;
  sender_lid: string | null;
  from_me: boolean;
  quoted_id: string | null;
  raw: unknown;
}

/** A message past the intake: its payload and Baileys' name for its content (e.g. `imageMessage`). */
export interface ForwardedMessage {
  payload: MessagePayload;
  rawType: string | null;
}
