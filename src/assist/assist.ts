import type { MessageUpsertType, WAMessage } from '@whiskeysockets/baileys';
import type { AssistOptions } from '../config/assist-options.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import type { AssistReport } from '../web/status-report.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { AccountIdentity } from '../whatsapp/jid.js';
import { askAgent, AssistFailure, NOT_ANSWERING, type AssistAnswer } from './assist-answer.js';
import { judge, type Question } from './assist-gate.js';
import { ChatMemory } from './chat-memory.js';

/** Questions one chat may ask a minute; the next one is answered once that Assist rests. */
export const QUESTIONS_PER_MINUTE = 10;
export const RESTING = `Assist is resting: at most ${QUESTIONS_PER_MINUTE} questions a minute. Ask again in a minute.`;

export interface AssistDeps {
  options: AssistOptions;
  /** The language to ask in (`voice_language`); null: Home Assistant's own. */
  language: string | null;
  supervisor: SupervisorClient;
  connection: Pick<WhatsAppConnection, 'inbound'>;
  account: () => AccountIdentity;
  sentByBridge: (id: string) => boolean;
  /** The JID of the one group with this subject in the chat directory, or null. */
  groupNamed: (name: string) => string | null;
  /** The outgoing sender (paced queue, typing): a reply quoting `reply_to`. */
  send: (body: { to: string; text: string; reply_to: string }) => Promise<{ id: string }>;
  logger: Logger;
}

/**
 * Home Assistant's Assist answering in WhatsApp. Listens beside the intake (the connection's
 * `inbound` messages, after the intake committed them), so forwarding never waits for it; each
 * chat's questions are answered one after another, chats in parallel.
 */
export class Assist implements Part {
  private readonly memory = new ChatMemory(QUESTIONS_PER_MINUTE);
  /** Each chat's last question still being answered, so its answers keep their order. */
  private readonly turns = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private startedAtSeconds = Infinity;
  private last: AssistReport['last'] = null;

  constructor(private readonly deps: AssistDeps) {}

  async start(): Promise<void> {
    this.startedAtSeconds = Math.floor(Date.now() / 1000);
    this.deps.connection.inbound.on('messages', this.onMessages);
    const { options, logger } = this.deps;
    logger.info(`Assist answers in ${options.chats.length} chat(s) through ${options.agent ?? "Home Assistant's default agent"}.`);
  }

  async stop(): Promise<void> {
    this.deps.connection.inbound.off('messages', this.onMessages);
    this.stopping.abort();
    await Promise.all(this.turns.values());
  }

  report(): AssistReport {
    const { options } = this.deps;
    return { on: true, chats: [...options.chats], agent: options.agent, last: this.last };
  }

  private readonly onMessages = (messages: WAMessage[], type: MessageUpsertType) => {
    for (const msg of messages) {
      const verdict = judge(msg, type, {
        options: this.deps.options,
        account: this.deps.account(),
        sentByBridge: this.deps.sentByBridge,
        groupNamed: this.deps.groupNamed,
        startedAtSeconds: this.startedAtSeconds,
        continuing: (chat) => this.memory.continuing(chat),
      });
      if (verdict.kind === 'refuse' && this.memory.shouldLogRefusal(verdict.chat)) {
        this.deps.logger.info(`Assist: a message in ${verdict.chat} ${verdict.why}; not sent to the agent (logged once an hour per chat).`);
      }
      if (verdict.kind === 'ask' && this.memory.firstSight(verdict.question.messageId)) this.enqueue(verdict.question);
    }
  };

  private enqueue(question: Question): void {
    const before = this.turns.get(question.chat) ?? Promise.resolve();
    const turn = before.then(() => this.answer(question));
    this.turns.set(question.chat, turn);
    void turn.then(() => {
      if (this.turns.get(question.chat) === turn) this.turns.delete(question.chat);
    });
  }

  /** One question: the rate limit, the agent, the reply. Never throws. */
  private async answer(question: Question): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const admitted = this.memory.admit(question.chat);
    if (admitted === 'resting') return this.reply(question, RESTING);
    if (admitted === 'silent') return;
    const { options, language, supervisor, logger } = this.deps;
    let answer: AssistAnswer;
    try {
      answer = await askAgent(
        supervisor,
        {
          text: question.text,
          ...(language ? { language } : {}),
          ...(options.agent ? { agent_id: options.agent } : {}),
          ...this.memory.conversation(question.chat),
        },
        this.stopping.signal,
      );
    } catch (error) {
      const why = error instanceof AssistFailure ? error.message : String(error);
      this.memory.forget(question.chat);
      this.last = { at: Date.now(), chat: question.chat, response_type: null, speech: null, error: why };
      if (this.stopping.signal.aborted) return;
      logger.warn(`Assist: no answer for ${question.messageId} in ${question.chat}: ${why}.`);
      return this.reply(question, NOT_ANSWERING);
    }
    this.memory.remember(question.chat, answer.conversation_id, answer.continue_conversation);
    this.last = { at: Date.now(), chat: question.chat, response_type: answer.response_type, speech: answer.speech, error: null };
    logger.info(`Assist answered ${question.messageId} in ${question.chat} (${answer.response_type}).`);
    await this.reply(question, answer.speech);
  }

  private async reply(question: Question, text: string): Promise<void> {
    try {
      await this.deps.send({ to: question.to, text, reply_to: question.messageId });
    } catch (error) {
      this.deps.logger.warn(`Assist: the answer to ${question.messageId} could not be sent: ${(error as Error).message}`);
    }
  }
}

/** Assist for the options, or null when `assist_chats` leaves it off (or no Supervisor is there). */
export function createAssist(deps: Omit<AssistDeps, 'supervisor'> & { supervisor: SupervisorClient | null }): Assist | null {
  const { supervisor } = deps;
  return deps.options.on && supervisor ? new Assist({ ...deps, supervisor }) : null;
}
