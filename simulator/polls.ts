import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import type { PollSpec } from './contact-action-types.js';

/** A poll as a phone creates it, the way Baileys builds `{ poll }`: single choice is V3, multiple choice the original message. */
export function pollCreationContent(poll: PollSpec, secret: Buffer): proto.IMessage {
  if (poll.options.length < 2 || new Set(poll.options).size !== poll.options.length) {
    throw new Error('simulator: a poll needs at least two distinct options');
  }
  const content = { name: poll.question, options: poll.options.map((optionName) => ({ optionName })), selectableOptionsCount: poll.multiple ? 0 : 1 };
  return { messageContextInfo: { messageSecret: secret }, ...(poll.multiple ? { pollCreationMessage: content } : { pollCreationMessageV3: content }) };
}

/** Everything a vote's encryption depends on; the JIDs are user JIDs without device. */
export interface VoteContext {
  readonly pollId: string;
  readonly secret: Uint8Array;
  readonly creatorJid: string;
  readonly voterJid: string;
}

const hmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest();

/**
 * A vote encrypted as WhatsApp's apps do (whatsmeow's msgsecret.go; Baileys' `decryptPollVote` is the
 * inverse): key = HKDF-SHA256 of the secret with no salt and info pollId ‖ creator ‖ voter ‖ "Poll Vote",
 * i.e. HMAC(HMAC(32 zero bytes, secret), info ‖ 0x01); AES-256-GCM with a 12-byte IV and additional
 * data `pollId \0 voter`. The plaintext lists the SHA-256 of each chosen option name; none = withdrawn.
 */
export function encryptPollVote(selected: readonly string[], ctx: VoteContext): proto.Message.IPollEncValue {
  const info = Buffer.concat([Buffer.from(ctx.pollId + ctx.creatorJid + ctx.voterJid + 'Poll Vote'), Buffer.from([1])]);
  const key = hmac(hmac(Buffer.alloc(32), ctx.secret), info);
  const iv = randomBytes(12);
  const plaintext = proto.Message.PollVoteMessage.encode({
    selectedOptions: selected.map((name) => createHash('sha256').update(name).digest()),
  }).finish();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${ctx.pollId}\0${ctx.voterJid}`));
  const encPayload = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { encPayload, encIv: iv };
}
