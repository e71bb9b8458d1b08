import { createHash } from 'node:crypto';
import { proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Contact } from './contacts.js';
import type { MediaHost } from './media-host.js';
import { mediaMessage } from './media-messages.js';
import type { MediaSpec } from './media-types.js';
import { mediaTypeOf } from './stanzas.js';

/**
 * The view-once placeholder WhatsApp fans out to linked devices instead of the media:
 * `<unavailable type="view_once"/>` and nothing to decrypt, which Baileys turns into a message
 * with `key.isViewOnce` and no content (Baileys #2105; PR #2435 describes both stanzas).
 */
export function viewOnceStub(from: Contact): { attrs: Record<string, string>; content: BinaryNode[] } {
  const attrs: Record<string, string> = { from: from.lidJid, sender_pn: from.jid, addressing_mode: 'lid', type: 'media' };
  if (from.pushName) attrs.notify = from.pushName;
  return { attrs, content: [{ tag: 'unavailable', attrs: { type: 'view_once' } }] };
}

/**
 * A channel (newsletter) post with a file, as a follower's linked device gets it: unencrypted
 * (`<plaintext>`), the media part with `directPath` and `url` but no `mediaKey` (channel files are
 * not encrypted; one production report counted 1,157 "Cannot derive from empty media key" from
 * `@newsletter` chats in five days, Baileys #2546). `channel` is the `…@newsletter` JID.
 */
export function channelPost(
  host: MediaHost,
  channel: string,
  spec: MediaSpec,
): { attrs: Record<string, string>; content: BinaryNode[]; message: proto.IMessage } {
  const location = host.store(spec.data, spec.kind);
  const sha256 = createHash('sha256').update(spec.data).digest();
  const file = { mediaKey: Buffer.alloc(0), encrypted: spec.data, fileSha256: sha256, fileEncSha256: sha256, fileLength: spec.data.length };
  const message = mediaMessage({ ...spec, missing: ['mediaKey', ...(spec.missing ?? [])] }, file, location);
  const plaintext: BinaryNode = { tag: 'plaintext', attrs: { mediatype: mediaTypeOf(message) ?? 'image' }, content: proto.Message.encode(message).finish() };
  return { attrs: { from: channel, type: 'media', server_id: String(100 + Math.floor(Math.random() * 900)) }, content: [plaintext], message };
}
