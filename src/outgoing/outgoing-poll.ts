import { randomBytes } from 'node:crypto';
import type { AnyMessageContent, Contact } from '@whiskeysockets/baileys';
import type { StoredPoll } from '../polls/poll-store.js';
import { userJids } from '../whatsapp/jid.js';
import type { PollRequest } from './poll-request.js';

/** A poll about to be sent, with the secret its votes will be encrypted with. */
export class OutgoingPoll {
  // Our own secret, not Baileys' default one, so the bridge has it before the poll leaves.
  private readonly secret = randomBytes(32);

  constructor(private readonly request: PollRequest) {}

  /** Baileys makes a pollCreationMessageV3 of selectableCount 1, a pollCreationMessage (any number) of 0. */
  get content(): AnyMessageContent {
    const { question, options, multiple } = this.request;
    return { poll: { name: question, values: options, selectableCount: multiple ? 0 : 1, messageSecret: this.secret } };
  }

  /** The poll as the store keeps it, once it has its id; the account (`socket.user`) is its creator. */
  stored(id: string, chat: string, account: Contact | undefined): StoredPoll {
    const creatorJids = userJids([account?.id, account?.lid]);
    return { id, chat, question: this.request.question, options: this.request.options, secret: this.secret, creatorJids, createdAt: Date.now() };
  }
}
