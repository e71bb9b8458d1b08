import type { Destination } from '../delivery/destination.js';
import type { Outbox } from '../delivery/outbox.js';
import type { AssistEventPayload, AssistOutcome } from '../payload/event-payload.js';
import type { Question } from './assist-gate.js';

/**
 * Marks Assist's answer in what the destinations get: an `assist` event per destination that
 * wants it, queued in the question's chat (behind the message itself and whatever the chat
 * queued meanwhile, so its order holds), with a delivery id of its own.
 */
export class AssistFollowUps {
  constructor(private readonly deps: { outbox: Outbox; destinations: readonly Destination[] }) {}

  queue(question: Question, outcome: AssistOutcome, now = Date.now()): void {
    const { fields } = question;
    const payload: AssistEventPayload = { ...fields, event: 'assist', id: question.messageId, question: question.text, assist: outcome };
    const queued = this.deps.outbox.inTransaction(() =>
      this.deps.destinations.filter((destination) => {
        const body = destination.bodyFor({ payload, rawType: null });
        if (body === null) return false;
        this.deps.outbox.enqueueFollowUp('assist', destination.name, fields.chat, question.messageId, body, now);
        return true;
      }),
    );
    for (const destination of queued) destination.wake([fields.chat]);
  }
}
