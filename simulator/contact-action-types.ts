import type { Contact } from './contacts.js';
import type { Group, SendOptions } from './types.js';

/** Who wrote a message: a simulated person, or the linked account (the bridge) itself. */
export type Party = Contact | 'account';

/** Options of `sim.editMessage`. */
export interface EditOptions extends SendOptions {
  /** Wrap the protocolMessage in `editedMessage` (a FutureProofMessage), as WhatsApp's apps and whatsmeow do; Baileys sends it bare. */
  wrapped?: boolean;
}

/** Options of `sim.deleteMessage`. */
export interface DeleteOptions extends SendOptions {
  /** A group admin deletes this member's (or the account's) message in `group`; default: the sender's own. */
  author?: Party;
}

/** Options of `sim.react`. */
export interface ReactOptions extends SendOptions {
  /** Who sent the message reacted to (default: the account). */
  targetAuthor?: Party;
}

/** A poll a contact creates with `sim.sendPoll`. */
export interface PollSpec {
  question: string;
  options: string[];
  /** Any number of options may be chosen (pollCreationMessage, selectableOptionsCount 0); default: one (pollCreationMessageV3). */
  multiple?: boolean;
}

/** What `sim.sendPoll` returns: what a voter needs besides the options. */
export interface SentPoll {
  readonly id: string;
  readonly timestamp: number;
  /** The poll's `messageContextInfo.messageSecret` (32 bytes): the votes' encryption key. */
  readonly secret: Buffer;
}

/** The poll `sim.vote` votes on. */
export interface PollRef {
  /** The poll message's id. */
  id: string;
  /** Who created it. */
  creator: Party;
  /** Its `messageContextInfo.messageSecret`. */
  secret: Uint8Array;
  /** Its option names. */
  options: string[];
}

/** Options of `sim.vote`. */
export interface VoteOptions extends SendOptions {
  /** The voter's JID form in the vote's key derivation (default `lid`). */
  voterAddressing?: 'lid' | 'pn';
  /** The creator's JID form in the key derivation and in `pollCreationMessageKey.participant` (default `lid`). */
  creatorAddressing?: 'lid' | 'pn';
}

/** A recipient's receipt of messages the client sent. */
export type ReceiptType = 'read' | 'played';

/** Options of `sim.sendReceipt`. */
export interface ReceiptOptions {
  /** The messages were sent to this group. */
  group?: Group;
}
