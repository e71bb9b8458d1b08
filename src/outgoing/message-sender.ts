import { generateMessageIDV2, jidDecode, type AnyMessageContent } from '@whiskeysockets/baileys';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { PollStore } from '../polls/poll-store.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import { SendTicket, type LoadSlots } from './admission.js';
import { parseMediaRequest } from './media-request.js';
import { loadMedia, type SourceLimits } from './media-source.js';
import { mediaMessage } from './outgoing-media.js';
import { OutgoingPoll } from './outgoing-poll.js';
import { parsePollRequest } from './poll-request.js';
import { recipientOf, type GroupLookup } from './recipient.js';
import { SendError } from './send-error.js';
import type { RecentMessages } from './recent-messages.js';
import type { SentMessageIds } from './sent-messages.js';
import { SendQueue, SendRefused } from './send-queue.js';
import { planAction } from './kinds/action-plan.js';
import { cardContent, parseCard } from './kinds/card.js';
import { parseMessageAction, type MessageAction } from './kinds/message-action.js';
import { sameChat } from './kinds/same-chat.js';
import type { SentKind } from './sent-messages.js';
import { Typing } from './typing.js';

const MAX_TEXT_LENGTH = 65_536;

export interface MessageSenderDeps {
  connection: WhatsAppConnection;
  recent: RecentMessages;
  sentIds: SentMessageIds;
  /** The pacing of the sends: at least `intervalMs` between two, at most `capacity` waiting. */
  pacing: { intervalMs: number; capacity: number };
  /** How many files may be loaded (downloaded, decoded) at once. */
  loadSlots: LoadSlots;
  /** Where a file to send may come from. */
  mediaLimits: SourceLimits;
  /** Where a sent poll is kept, so the votes on it can be read. */
  polls: PollStore;
  /** The chat directory: `{"group": "<subject>"}` recipients, and the groups known to have the account. */
  groups: GroupLookup;
  /** typing_before_send: "typing…" in the chat for 1-3 s before each new message. */
  typingBeforeSend: boolean;
  logger: Logger;
}

/**
 * Validates a send request (text, a file, a poll, a location, a contact; or a reaction, edit,
 * deletion or read mark about another message), checks the recipient, and sends through the
 * paced queue, with "typing…" first when typing_before_send is on. A send first takes its place in the queue (`admit`), so one past the bound is
 * refused before any work: no number look-up, no download, no decoding. Stopping refuses the
 * sends still waiting for their turn (their callers get 503); a send under way finishes.
 */
export class MessageSender implements Part {
  private readonly queue: SendQueue;
  private readonly typing: Typing;

  constructor(private readonly deps: MessageSenderDeps) {
    this.queue = new SendQueue(deps.pacing.intervalMs, deps.pacing.capacity);
    this.typing = new Typing(deps.typingBeforeSend, deps.logger);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.queue.stop();
    this.typing.stop();
  }

  /** A ticket for one send, or a SendError: 429 when the queue is full, 503 while the app stops. */
  admit(): SendTicket {
    try {
      return new SendTicket(this.queue.reserve(), this.deps.loadSlots);
    } catch (error) {
      if (error instanceof SendRefused && error.reason === 'full')
        throw new SendError(429, `Too many messages waiting to be sent (${error.message}); try again later.`);
      if (error instanceof SendRefused) throw new SendError(503, 'The app is stopping; send again once it is back.');
      throw error;
    }
  }

  /** Runs `work` with "typing…" in the chat `to` (a JID) when typing_before_send is on and WhatsApp is connected. */
  thinking<T>(to: string, work: () => Promise<T>): Promise<T> {
    const socket = this.deps.connection.openSocket;
    return socket ? this.typing.during(socket, to, work) : work();
  }

  /** Sends on `ticket` (the caller closes it), or on a ticket of its own. */
  async send(body: unknown, ticket?: SendTicket): Promise<{ id: string }> {
    const own = ticket ?? this.admit();
    try {
      return await this.sendOn(body, own);
    } finally {
      if (!ticket) own.close();
    }
  }

  private async sendOn(body: unknown, ticket: SendTicket): Promise<{ id: string }> {
    const request = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const recipient = recipientOf(request.to, this.deps.groups);
    const action = parseMessageAction(request);
    const card = action ? null : parseCard(request);
    const pollRequest = action || card ? null : parsePollRequest(request);
    const media = action || card || pollRequest ? null : parseMediaRequest(request);
    const text = action || card || pollRequest || media ? null : requiredText(request.text);
    const replyTo = request.reply_to;
    if (replyTo !== undefined && replyTo !== null && typeof replyTo !== 'string') throw new SendError(400, "'reply_to' must be the id of a received message.");
    const quoted = replyTo ? this.deps.recent.find(replyTo) : undefined;
    if (replyTo && !quoted) throw new SendError(404, `'reply_to': message ${replyTo} is not among the last received messages, so it cannot be quoted.`);
    // A URL the app may not fetch is refused before the number look-up (and checked again at every hop).
    if (media && 'url' in media.source) this.deps.mediaLimits.urlGuard.check(media.source.url, `'${media.kind}.url'`);

    let jid = recipient.jid;
    if (recipient.kind === 'phone') {
      const [found] = (await this.socket().onWhatsApp(jid)) ?? [];
      if (!found?.exists) throw new SendError(404, `${String(request.to)} is not on WhatsApp.`);
      jid = found.jid;
    }
    if (recipient.kind === 'group') await this.checkGroup(jid);
    if (action) return this.act(action, jid, ticket);
    const cardMessage = card ? await cardContent(card, (digits) => this.whatsAppId(digits)) : null;
    // The file is loaded and checked before the send takes its turn, so a bad one costs no pacing slot.
    const loaded = media ? await loadMedia(media, this.deps.mediaLimits, ticket) : null;
    try {
      const poll = pollRequest ? new OutgoingPoll(pollRequest) : null;
      const content: AnyMessageContent = cardMessage ?? (poll ? poll.content : media ? mediaMessage(media, loaded!) : { text: text! });
      const kind: SentKind = card ? card.kind : poll ? 'poll' : media ? 'media' : 'text';
      return await ticket.run(async () => {
        const socket = this.socket();
        const id = generateMessageIDV2(socket.user?.id);
        this.deps.sentIds.add(id, jid, kind); // before sending: Baileys emits our own message during sendMessage
        if (poll) this.deps.polls.remember(poll.stored(id, jid, socket.user)); // before sending too: a vote can follow at once
        const send = () => socket.sendMessage(jid, content, { messageId: id, ...(quoted ? { quoted } : {}) });
        await this.typing.before(socket, jid, send);
        const what = poll ? 'poll' : media ? `${media.kind} message` : card ? kind : 'message';
        this.deps.logger.info(`Sent ${what} ${id} to ${jid}${quoted ? ` (reply to ${replyTo})` : ''}.`);
        return { id };
      });
    } catch (error) {
      if (error instanceof SendRefused) throw new SendError(503, 'The app is stopping; send again once it is back.');
      throw error;
    } finally {
      await loaded?.release();
    }
  }

  /**
   * A reaction, edit, deletion or read mark, once `to` is known: checked against the message it
   * is about, then sent in its turn of the paced queue (no typing: a person's phone shows none).
   */
  private async act(action: MessageAction, jid: string, ticket: SendTicket): Promise<{ id: string }> {
    const socket = this.socket();
    const plan = await planAction(action, jid, {
      recent: this.deps.recent,
      sentIds: this.deps.sentIds,
      sameChat: (a, b) => sameChat(socket, a, b),
      now: Date.now(),
    });
    try {
      return await ticket.run(async () => {
        const socket = this.socket();
        if (plan.kind === 'read') {
          await socket.readMessages([plan.key]);
          this.deps.logger.info(`Marked ${plan.key.remoteJid} read up to ${action.id}.`);
          return { id: action.id };
        }
        const id = generateMessageIDV2(socket.user?.id);
        this.deps.sentIds.add(id, plan.chat, plan.sent); // its echo is not forwarded as received
        await socket.sendMessage(plan.chat, plan.content, { messageId: id });
        this.deps.logger.info(`Sent ${plan.sent} ${id} of message ${action.id} to ${plan.chat}.`);
        return { id };
      });
    } catch (error) {
      if (error instanceof SendRefused) throw new SendError(503, 'The app is stopping; send again once it is back.');
      throw error;
    }
  }

  /** The user part of the JID WhatsApp has for a number (a contact card's `waid`), or null when it is not on WhatsApp. */
  private async whatsAppId(digits: string): Promise<string | null> {
    const [found] = (await this.socket().onWhatsApp(`${digits}@s.whatsapp.net`)) ?? [];
    return found?.exists ? (jidDecode(found.jid)?.user ?? null) : null;
  }

  /** An unknown group is a 404 like an unknown number, found out before the send takes a pacing slot. */
  private async checkGroup(jid: string): Promise<void> {
    if (this.deps.groups.isMember(jid)) return; // no metadata call (WhatsApp limits them: Baileys #2148)
    try {
      await this.socket().groupMetadata(jid);
    } catch (error) {
      if (error instanceof SendError) throw error;
      const status = (error as { output?: { statusCode?: number } }).output?.statusCode;
      if (status === 404 || status === 403 || /item-not-found|forbidden/.test((error as Error).message)) {
        throw new SendError(404, `Group ${jid} does not exist, or this account is not a member of it.`);
      }
      throw error;
    }
  }

  private socket() {
    const socket = this.deps.connection.openSocket;
    if (!socket) throw new SendError(503, `WhatsApp is not connected (${this.deps.connection.status.state}); see the app's page.`);
    return socket;
  }
}

function requiredText(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '')
    throw new SendError(
      400,
      "'text' must be non-empty text (or send a file with one of image, video, audio, document, sticker, or a 'poll', 'location', 'contact', 'reaction', 'edit', 'delete' or 'read').",
    );
  if (text.length > MAX_TEXT_LENGTH) throw new SendError(400, `'text' is longer than ${MAX_TEXT_LENGTH} characters.`);
  return text;
}
