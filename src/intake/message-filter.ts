import {
  getContentType,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  normalizeMessageContent,
  type WAMessage,
} from '@whiskeysockets/baileys';
import { isViewOnceStub } from '../media/media-failure.js';
import { editOrRevoke } from './protocol-events.js';

export interface FilterSettings {
  forwardGroups: boolean;
  forwardOwnMessages: boolean;
  /** Messages the bridge sent itself are never forwarded back (no reply loops). */
  sentByBridge(messageId: string): boolean;
}

/**
 * Why a message is not forwarded, or null when it is. New messages, edits and deletions from
 * people count: not status updates, channels, other protocol traffic (key shares, history sync),
 * key-distribution-only messages or stubs for messages that failed to decrypt.
 */
export function skipReason(msg: WAMessage, settings: FilterSettings): string | null {
  const chat = msg.key?.remoteJid;
  const id = msg.key?.id;
  if (!chat || !id) return 'no chat or id';
  if (isJidStatusBroadcast(chat)) return 'status update';
  if (isJidNewsletter(chat)) return 'channel (newsletter)';
  if (isJidBroadcast(chat)) return 'broadcast list';
  if (msg.messageStubType) return 'stub (decryption failed or a system notice)';
  const inner = normalizeMessageContent(msg.message);
  const type = inner ? getContentType(inner) : undefined;
  // A view-once message reaches a linked device as a placeholder only: forwarded, saying so.
  if (!type && !isViewOnceStub(msg)) return 'no content (key distribution only)';
  if (type === 'protocolMessage' && !editOrRevoke(msg)) return 'protocol message';
  if (msg.key.fromMe) {
    if (settings.sentByBridge(id)) return 'sent by the bridge';
    if (!settings.forwardOwnMessages) return 'own message (forward_own_messages is off)';
  }
  if (isJidGroup(chat) && !settings.forwardGroups) return 'group message (forward_groups is off)';
  return null;
}
