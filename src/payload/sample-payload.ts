import { randomUUID } from 'node:crypto';
import type { MessagePayload } from './message-payload.js';

/**
 * What "Send test" posts: shaped like a real message so an automation can be tried out, but
 * with `event: "test"` so it can tell the difference.
 */
export function samplePayload(ownJid: string | null): Omit<MessagePayload, 'event'> & { event: 'test' } {
  const id = `TEST${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
  const sender = '15550100000@s.whatsapp.net';
  return {
    sender,
    content: 'Test message from WhatsApp Bridge',
    is_group: false,
    event: 'test',
    id,
    chat: sender,
    timestamp: Math.floor(Date.now() / 1000),
    type: 'text',
    push_name: 'WhatsApp Bridge test',
    sender_phone: '15550100000',
    sender_lid: null,
    from_me: false,
    quoted_id: null,
    media: null,
    poll: null,
    raw: { key: { remoteJid: sender, fromMe: false, id }, message: { conversation: 'Test message from WhatsApp Bridge' }, to: ownJid },
  };
}
