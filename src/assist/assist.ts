import type { MessageUpsertType, WAMessage } from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import type { VoiceTranscript } from '../bus-events.js';
import type { AssistOptions } from '../config/assist-options.js';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { AssistOutcome } from '../payload/event-payload.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';
import type { AssistReport } from '../web/status-report.js';
import type { WhatsAppConnection } from '../whatsapp/connection.js';
import type { AccountIdentity } from '../whatsapp/jid.js';
import { askAgent, AssistFailure, NOT_ANSWERING, type AssistAnswer } from './assist-answer.js';
import type { AssistFollowUps } from './assist-followup.js';
import { judge, transcriptQuestion, type Question } from './assist-gate.js';
import { ChatMemory, TranscriptWaits } from './chat-memory.js';
import type { ConversationStore } from './conversation-store.js';

/** Questions one chat may ask a minute; the next one is answered once that Assist rests. */
export const QUESTIONS_PER_MINUTE = 10;
export const RESTING = `Assist is resting: at most ${QUESTIONS_PER_MINUTE} questions a minute. Ask again in a minute.`;

export interface AssistDeps {
  options: AssistOptions;
  /** The language to ask in (`voice_language`); null: Home Assistant's own. */
  language: string | null;
  /** Whether a voice note gets a transcript: `voice_to_text` on, and the intake downloads it. */
  transcribes: (voiceNote: { fromMe: boolean; group: boolean }) => boolean;
  /** How long a voice note's transcript is waited for (its chat's later questions wait behind it). */
  transcriptWaitMs: number;
  supervisor: SupervisorClient;
  connection: Pick<WhatsAppConnection, 'inbound'>;
  /** Where the media downloader tells that a voice note's transcript is in. */
  bus: Pick<Bus, 'on' | 'off'>;
  /** Each chat's conversation id, in the state file. */
  conversations: ConversationStore;
  /** Queues the `assist` event of an answered message for the destinations. */
  followUps: AssistFollowUps;
  account: () => AccountIdentity;
  sentByBridge: (id: string) => boolean;
  /** The JID of the one group with this subject in the chat directory, or null. */
  groupNamed: (name: string) => string | null;
  /** The outgoing sender (paced queue, typing): a reply quoting `reply_to`. */
  send: (body: { to: string; text: string; reply_to: string }) => Promise<{ id: string }>;
  /** Runs `work` with "typing…" in the chat (typing_before_send). */
  thinking: <T>(to: string, work: () => Promise<T>) => Promise<T>;
  logger: Logger;
}

/**
 * Home Assistant's Assist answering in WhatsApp. Listens beside the intake (the connection's
 * `inbound` messages, after the intake committed them), so forwarding never waits for it; a
 * voice note is asked once the bus says its transcript is in. Each chat's questions are
 * answered one after another, chats in parallel; each answer is marked for the destinations
 * with an `assist` event in the chat's order.
 */
export class Assist implements Part {
  private readonly memory = new ChatMemory(QUESTIONS_PER_MINUTE);
  private readonly transcripts: TranscriptWaits;
  /** Each chat's last question still being answered, so its answers keep their order. */
  private readonly turns = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private startedAtSeconds = Infinity;
  private last: AssistReport['last'] = null;

  constructor(private readonly deps: AssistDeps) {
    this.transcripts = new TranscriptWaits(deps.transcriptWaitMs);
  }

  async start(): Promise<void> {
    this.startedAtSeconds = Math.floor(Date.now() / 1000);
    this.deps.connection.inbound.on('messages', this.onMessages);
    this.deps.bus.on('transcript', this.transcripts.heard);
    const { options, logger } = this.deps;
    logger.info(`Assist answers in ${options.chats.length} chat(s) through ${options.agent ?? "Home Assistant's default agent"}.`);
  }

  async stop(): Promise<void> {
    this.deps.connection.inbound.off('messages', this.onMessages);
    this.deps.bus.off('transcript', this.transcripts.heard);
    this.stopping.abort();
    this.transcripts.stop();
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
        continuing: (chat) => this.continuing(chat),
        transcribes: this.deps.transcribes,
      });
      if (verdict.kind === 'refuse' && this.memory.shouldLogRefusal(verdict.chat)) {
        this.deps.logger.info(`Assist: a message in ${verdict.chat} ${verdict.why}; not sent to the agent (logged once an hour per chat).`);
      }
      if (verdict.kind === 'ask' && this.memory.firstSight(verdict.question.messageId)) {
        const { question } = verdict;
        this.enqueue(question.chat, question.messageId, () => this.answer(question));
      }
      if (verdict.kind === 'listen' && this.memory.firstSight(verdict.question.messageId)) {
        const { question, group } = verdict;
        const heard = this.transcripts.wait(question.fields.chat, question.messageId);
        this.enqueue(question.chat, question.messageId, () => this.answerVoiceNote(question, group, heard));
      }
    }
  };

  /** A voice note, in its chat's turn: its transcript is the question (in a group, when it starts with the spoken prefix). */
  private async answerVoiceNote(question: Omit<Question, 'text'>, group: boolean, heard: Promise<VoiceTranscript | null>): Promise<void> {
    const transcript = await heard;
    if (this.stopping.signal.aborted) return;
    const { logger, options, transcriptWaitMs } = this.deps;
    const why = transcript ? transcript.error : `none within ${Math.round(transcriptWaitMs / 1000)} s`;
    if (!transcript?.transcript) {
      logger.info(`Assist: voice note ${question.messageId} in ${question.chat} has no transcript (${why}); not sent to the agent.`);
      return;
    }
    const text = transcriptQuestion(transcript.transcript, group, options.prefix, this.continuing(question.chat));
    if (text !== null) await this.answer({ ...question, text });
  }

  private continuing(chat: string): boolean {
    return this.deps.conversations.find(chat)?.continuing ?? false;
  }

  /** Runs `work` in the chat's turn, after the chat's earlier questions (a voice note's wait for its transcript included). */
  private enqueue(chat: string, messageId: string, work: () => Promise<void>): void {
    const before = this.turns.get(chat) ?? Promise.resolve();
    const turn = before
      .then(work)
      // The state file failing (full, damaged) ends this question only; the chat's next ones still come.
      .catch((error: unknown) => this.deps.logger.error(`Assist: question ${messageId} in ${chat} failed: ${(error as Error).message}`));
    this.turns.set(chat, turn);
    void turn.then(() => {
      if (this.turns.get(chat) === turn) this.turns.delete(chat);
    });
  }

  /** One question: the rate limit, the agent (with "typing…"), the reply, the `assist` event. */
  private async answer(question: Question): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const admitted = this.memory.admit(question.chat);
    if (admitted === 'resting') {
      await this.reply(question, RESTING);
      return;
    }
    if (admitted === 'silent') return;
    const { options, language, supervisor, conversations, logger } = this.deps;
    const kept = conversations.find(question.chat);
    let answer: AssistAnswer;
    try {
      answer = await this.deps.thinking(question.to, () =>
        askAgent(
          supervisor,
          {
            text: question.text,
            ...(language ? { language } : {}),
            ...(options.agent ? { agent_id: options.agent } : {}),
            ...(kept?.id ? { conversation_id: kept.id } : {}),
          },
          this.stopping.signal,
        ),
      );
    } catch (error) {
      const why = error instanceof AssistFailure ? error.message : String(error);
      conversations.forget(question.chat);
      this.last = { at: Date.now(), chat: question.chat, response_type: null, speech: null, error: why };
      if (this.stopping.signal.aborted) return;
      logger.warn(`Assist: no answer for ${question.messageId} in ${question.chat}: ${why}.`);
      const replyId = await this.reply(question, NOT_ANSWERING);
      return this.mark(question, { response_type: null, speech: NOT_ANSWERING, conversation_id: null, error: why, reply_id: replyId });
    }
    conversations.remember(question.chat, { id: answer.conversation_id, continuing: answer.continue_conversation });
    this.last = { at: Date.now(), chat: question.chat, response_type: answer.response_type, speech: answer.speech, error: null };
    logger.info(`Assist answered ${question.messageId} in ${question.chat} (${answer.response_type}).`);
    const replyId = await this.reply(question, answer.speech);
    const { response_type, speech, conversation_id } = answer;
    this.mark(question, { response_type, speech, conversation_id, error: null, reply_id: replyId });
  }

  /** Sends the reply; its id, or null when it could not be sent. */
  private async reply(question: Question, text: string): Promise<string | null> {
    try {
      return (await this.deps.send({ to: question.to, text, reply_to: question.messageId })).id;
    } catch (error) {
      this.deps.logger.warn(`Assist: the answer to ${question.messageId} could not be sent: ${(error as Error).message}`);
      return null;
    }
  }

  private mark(question: Question, outcome: AssistOutcome): void {
    try {
      this.deps.followUps.queue(question, outcome);
    } catch (error) {
      this.deps.logger.error(`Assist: the answer to ${question.messageId} could not be queued for the destinations: ${(error as Error).message}`);
    }
  }
}

/** Assist for the options, or null when `assist_chats` leaves it off (or no Supervisor is there). */
export function createAssist(deps: Omit<AssistDeps, 'supervisor'> & { supervisor: SupervisorClient | null }): Assist | null {
  const { supervisor } = deps;
  return deps.options.on && supervisor ? new Assist({ ...deps, supervisor }) : null;
}
