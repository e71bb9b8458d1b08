import { randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import type {
  DeleteOptions,
  EditOptions,
  Party,
  PollRef,
  PollSpec,
  ReactOptions,
  ReceiptOptions,
  ReceiptType,
  SentPoll,
  VoteOptions,
} from './contact-action-types.js';
import type { Contact } from './contacts.js';
import { encryptPollVote, pollCreationContent } from './polls.js';
import { recipientReceipt } from './recipient-receipts.js';
import type { SessionHost } from './session.js';
import type { SendOptions, SendResult } from './types.js';

/** What the contacts' actions need from the simulator. */
export type ActionsHost = Pick<SessionHost, 'account' | 'delivery' | 'recorder' | 'sessions'>;

type Form = 'lid' | 'pn';
const { MESSAGE_EDIT, REVOKE } = proto.Message.ProtocolMessage.Type;
const millis = (opts: SendOptions) => (opts.timestamp ? opts.timestamp * 1000 : Date.now());

/**
 * What people do to messages besides sending them: edit, delete, react, polls and votes, read
 * receipts. Each is built as the sender's phone builds it (keys from the sender's point of view),
 * mirroring Baileys' own `generateWAMessageContent`, and delivered like any message.
 */
export class ContactActions {
  constructor(private readonly host: ActionsHost) {}

  edit(from: Contact, targetId: string, newText: string, { wrapped, ...opts }: EditOptions = {}): Promise<SendResult> {
    const protocolMessage: proto.Message.IProtocolMessage = {
      key: { remoteJid: this.chatJid(opts), fromMe: true, id: targetId },
      type: MESSAGE_EDIT,
      editedMessage: { conversation: newText },
      timestampMs: millis(opts),
    };
    // Baileys adds a messageSecret (reporting token) to everything but reactions and votes
    const message = wrapped ? { editedMessage: { message: { protocolMessage } } } : { protocolMessage, messageContextInfo: { messageSecret: randomBytes(32) } };
    return this.host.delivery.send(from, message, opts);
  }

  async delete(from: Contact, targetId: string, { author, ...opts }: DeleteOptions = {}): Promise<SendResult> {
    if (author && author !== from && !opts.group) throw new Error("simulator: only a group admin deletes someone else's message (pass opts.group)");
    const key = author && author !== from ? this.targetKey(from, targetId, author, opts) : { remoteJid: this.chatJid(opts), fromMe: true, id: targetId };
    return this.host.delivery.send(from, { protocolMessage: { key, type: REVOKE }, messageContextInfo: { messageSecret: randomBytes(32) } }, opts);
  }

  react(from: Contact, targetId: string, emoji: string, { targetAuthor = 'account', ...opts }: ReactOptions = {}): Promise<SendResult> {
    const reactionMessage = { key: this.targetKey(from, targetId, targetAuthor, opts), text: emoji, senderTimestampMs: millis(opts) };
    return this.host.delivery.send(from, { reactionMessage }, opts);
  }

  async sendPoll(from: Contact, poll: PollSpec, opts: SendOptions = {}): Promise<SentPoll> {
    const secret = randomBytes(32);
    return { ...(await this.host.delivery.send(from, pollCreationContent(poll, secret), opts)), secret };
  }

  async vote(
    from: Contact,
    poll: PollRef,
    selected: string[],
    { voterAddressing = 'lid', creatorAddressing = 'lid', ...opts }: VoteOptions = {},
  ): Promise<SendResult> {
    const unknown = selected.find((option) => !poll.options.includes(option));
    if (unknown !== undefined) throw new Error(`simulator: "${unknown}" is not an option of poll ${poll.id}`);
    const vote = encryptPollVote(selected, {
      pollId: poll.id,
      secret: poll.secret,
      creatorJid: this.userJid(poll.creator, creatorAddressing),
      voterJid: this.userJid(from, voterAddressing),
    });
    const pollCreationMessageKey = this.targetKey(from, poll.id, poll.creator, opts, creatorAddressing);
    return this.host.delivery.send(from, { pollUpdateMessage: { pollCreationMessageKey, vote, senderTimestampMs: millis(opts) } }, opts);
  }

  receipt(from: Contact, ids: readonly string[], type: ReceiptType, { group }: ReceiptOptions = {}): void {
    const receipt = recipientReceipt(from, ids, type, group, this.host.recorder.outgoing);
    const connections = [...this.host.sessions()].filter((s) => s.online && s.connection.isOpen).map((s) => s.connection);
    // receipts are not queued for a device that is offline: send them while the client is online
    if (!connections.length) throw new Error('simulator: no device is online to receive the receipt');
    for (const connection of connections) connection.send(receipt);
  }

  /** A user JID without device: `<lid>@lid` or `<phone>@s.whatsapp.net`. */
  private userJid(party: Party, form: Form): string {
    const { phone, lid } = party === 'account' ? this.host.account : party;
    return form === 'lid' ? `${lid}@lid` : `${phone}@s.whatsapp.net`;
  }

  /** The chat as the sender's phone names it: the group, or (1:1) the account in the stanza's addressing. */
  private chatJid(opts: SendOptions): string {
    return opts.group?.jid ?? this.userJid('account', opts.addressing ?? 'lid');
  }

  /** The key of `author`'s message `id` from the sender's point of view (participant in groups, for others' messages). */
  private targetKey(from: Contact, id: string, author: Party, opts: SendOptions, authorForm: Form = opts.addressing ?? 'lid'): proto.IMessageKey {
    const fromMe = author === from;
    const participant = opts.group && !fromMe ? { participant: this.userJid(author, authorForm) } : {};
    return { remoteJid: this.chatJid(opts), fromMe, id, ...participant };
  }
}
