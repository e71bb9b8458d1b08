import { createHash } from 'node:crypto';
import { decryptPollVote, type proto } from '@whiskeysockets/baileys';
import type { StoredPoll } from './poll-store.js';

/**
 * The option names a vote chose, in the poll's order ([] = withdrawn), or null when it decrypts
 * under no pair of creator and voter JIDs. Every pair is tried (as whatsmeow does): a wrong one
 * fails GCM's authentication, so a match is the right one.
 */
export function readVote(poll: StoredPoll, vote: proto.Message.IPollEncValue, voterJids: readonly string[]): string[] | null {
  for (const pollCreatorJid of poll.creatorJids) {
    for (const voterJid of voterJids) {
      let chosen: Uint8Array[];
      try {
        chosen = decryptPollVote(vote, { pollEncKey: poll.secret, pollMsgId: poll.id, pollCreatorJid, voterJid }).selectedOptions;
      } catch {
        continue;
      }
      // A vote names its options by the SHA-256 of their names.
      const hashes = new Set(chosen.map((hash) => Buffer.from(hash).toString('hex')));
      return poll.options.filter((name) => hashes.has(createHash('sha256').update(name).digest('hex')));
    }
  }
  return null;
}
