import { normalizeMessageContent, toNumber, type proto, type WAMessage } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';
import type { PollPayload } from '../payload/poll-payload.js';
import type { PollStore } from './poll-store.js';
import { readVote } from './poll-vote.js';
import { senderJids, type AccountIdentity } from '../whatsapp/jid.js';

/**
 * Polls seen in chats, and the votes on them. Both run synchronously inside Baileys' event (in
 * the intake's transaction), so a poll is stored before any vote on it can be read.
 */
export class Polls {
  constructor(
    private readonly store: PollStore,
    private readonly logger: Logger,
  ) {}

  /** Remembers a poll message (anyone's, the account's own too) with its secret, so votes on it can be read. */
  observe(msg: WAMessage, account: AccountIdentity): void {
    const content = normalizeMessageContent(msg.message);
    const poll = content?.pollCreationMessage ?? content?.pollCreationMessageV2 ?? content?.pollCreationMessageV3;
    const secret = content?.messageContextInfo?.messageSecret;
    const { id, remoteJid } = msg.key;
    if (!poll || !id || !remoteJid) return;
    if (!secret?.length) {
      this.logger.debug(`Poll ${id} came without its secret: votes on it cannot be read.`);
      return;
    }
    this.store.remember({
      id,
      chat: remoteJid,
      question: poll.name ?? '',
      options: (poll.options ?? []).map((option) => option.optionName ?? ''),
      secret,
      creatorJids: senderJids(msg.key, account),
      createdAt: toNumber(msg.messageTimestamp) * 1000 || Date.now(),
    });
  }

  /** The poll a vote is for and what it chose; null when `msg` is no vote. */
  voteOf(msg: WAMessage, account: AccountIdentity): PollPayload | null {
    const update: proto.Message.IPollUpdateMessage | null | undefined = normalizeMessageContent(msg.message)?.pollUpdateMessage;
    const id = update?.pollCreationMessageKey?.id;
    if (!update?.vote || !id) return null;
    const poll = this.store.find(id);
    if (!poll) return { id, question: null, options: null, selected: null };
    const voters = senderJids(msg.key, account);
    const selected = readVote(poll, update.vote, voters);
    if (!selected)
      this.logger.debug(`Vote ${msg.key.id} on poll ${id} decrypts for none of creator ${poll.creatorJids.join(', ')} and voter ${voters.join(', ')}.`);
    return { id, question: poll.question, options: poll.options, selected };
  }
}
