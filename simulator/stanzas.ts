import { normalizeMessageContent, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { StreamFault } from './types.js';

/** The `mediatype` of an `<enc>`, as Baileys' own `getMediaType` (messages-send.js) computes it. */
export function mediaTypeOf(message: proto.IMessage): string | undefined {
  const m = normalizeMessageContent(message);
  if (!m) return undefined;
  if (m.imageMessage) return 'image';
  if (m.videoMessage) return m.videoMessage.gifPlayback ? 'gif' : 'video';
  if (m.audioMessage) return m.audioMessage.ptt ? 'ptt' : 'audio';
  if (m.contactMessage) return 'vcard';
  if (m.documentMessage) return 'document';
  if (m.contactsArrayMessage) return 'contact_array';
  if (m.liveLocationMessage) return 'livelocation';
  if (m.stickerMessage) return 'sticker';
  if (m.listMessage) return 'list';
  if (m.listResponseMessage) return 'list_response';
  if (m.buttonsResponseMessage) return 'buttons_response';
  if (m.orderMessage) return 'order';
  if (m.productMessage) return 'product';
  if (m.interactiveResponseMessage) return 'native_flow_response';
  if (m.groupInviteMessage) return 'url';
  return undefined;
}

/** The `type` attribute of a `<message>`, as Baileys' own `getMessageType` computes it. */
export function messageTypeOf(message: proto.IMessage): string {
  const m = normalizeMessageContent(message);
  if (m?.reactionMessage || m?.encReactionMessage) return 'reaction';
  if (m?.pollCreationMessage || m?.pollCreationMessageV2 || m?.pollCreationMessageV3 || m?.pollUpdateMessage) return 'poll';
  if (m?.eventMessage) return 'event';
  return mediaTypeOf(message) ? 'media' : 'text';
}

const { REVOKE, MESSAGE_EDIT } = proto.Message.ProtocolMessage.Type;

/**
 * The `edit` attribute WhatsApp's server puts on edits and deletions (whatsmeow's getEditAttribute):
 * 1 an edit, 7 a sender's delete (and a removed reaction), 8 an admin's delete of someone else's message.
 */
export function editAttributeOf(message: proto.IMessage): string | undefined {
  const m = message.editedMessage?.message ?? message;
  const protocol = m.protocolMessage;
  if (protocol?.key && (protocol.type ?? REVOKE) === REVOKE) return protocol.key.fromMe ? '7' : '8';
  if (protocol?.key && protocol.type === MESSAGE_EDIT && protocol.editedMessage) return '1';
  if (m.reactionMessage && !m.reactionMessage.text) return '7';
  return undefined;
}

/** An `<enc>` child. */
export function encNode(type: string, ciphertext: Uint8Array, mediatype?: string): BinaryNode {
  return { tag: 'enc', attrs: { v: '2', type, ...(mediatype ? { mediatype } : {}) }, content: ciphertext };
}

/** A copy of a stanza marked as coming from the offline queue. */
export function asOffline(node: BinaryNode): BinaryNode {
  return { ...node, attrs: { ...node.attrs, offline: '1' } };
}

/** `<ib><offline count/></ib>`: tells the client the offline queue is drained. */
export function offlineMarker(count: number): BinaryNode {
  return { tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(count) } }] };
}

/** The stanza that makes Baileys close with each status code (see the faults table in docs/simulator.md). */
export function faultNode(code: StreamFault): BinaryNode {
  switch (code) {
    case 401:
      return {
        tag: 'stream:error',
        attrs: { code: '401' },
        content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
      };
    case 440:
      return { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] };
    case 403:
      return { tag: 'failure', attrs: { reason: '403' } };
    case 500:
      // a reason Baileys does not know maps to badSession (500)
      return { tag: 'stream:error', attrs: {}, content: [{ tag: 'ack', attrs: {} }] };
    case 515:
      return { tag: 'stream:error', attrs: { code: '515' } };
  }
}

/**
 * The server's "prekeys run low" notification (the shape yowsup #836 logged; whatsapp-rust #706:
 * WhatsApp sends it once its pool drains under fanout): Baileys uploads more below 5 (MIN_PREKEY_COUNT).
 * rc14 takes it only `from` "@s.whatsapp.net" (its S_WHATSAPP_NET), so it is sent so.
 */
export function preKeyLowNotification(): BinaryNode {
  return {
    tag: 'notification',
    attrs: { from: '@s.whatsapp.net', type: 'encrypt', id: `prekey-low-${Date.now()}`, t: String(Math.floor(Date.now() / 1000)) },
    content: [{ tag: 'count', attrs: { value: '0' } }],
  };
}

/** The server's `<ack>` for a stanza the client sent. */
export function serverAck(node: BinaryNode): BinaryNode {
  const attrs: Record<string, string> = {
    id: node.attrs.id ?? '',
    class: node.tag,
    t: String(Math.floor(Date.now() / 1000)),
  };
  if (node.attrs.to) attrs.from = node.attrs.to;
  if (node.attrs.type) attrs.type = node.attrs.type;
  return { tag: 'ack', attrs };
}
