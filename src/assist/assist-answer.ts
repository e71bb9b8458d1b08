import { SupervisorUnreachable, type ConversationRequest, type SupervisorClient } from '../supervisor/supervisor-client.js';

/** An agent past this long is not waited for: the person hears it is not answering. */
export const AGENT_TIMEOUT_MS = 30_000;

export const NOT_ANSWERING = 'Home Assistant is not answering right now.';

/** What Home Assistant answered, as automations and the page see it. */
export interface AssistAnswer {
  response_type: 'action_done' | 'query_answer' | 'error';
  speech: string;
  conversation_id: string | null;
  continue_conversation: boolean;
}

/** The agent gave no usable answer; `why` is for the log and the page (never the token). */
export class AssistFailure extends Error {}

const RESPONSE_TYPES = ['action_done', 'query_answer', 'error'] as const;

/**
 * One text to Home Assistant's conversation agent through the Supervisor. Resolves with the
 * answer (an `error` answer included: its speech says what went wrong); rejects with
 * AssistFailure when no answer came (Home Assistant restarting, the agent missing, 5xx, past
 * AGENT_TIMEOUT_MS, or a stop).
 */
export async function askAgent(supervisor: SupervisorClient, request: ConversationRequest, stop: AbortSignal): Promise<AssistAnswer> {
  // A timer of our own: a bare AbortSignal.timeout inside AbortSignal.any may be collected before it fires.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), AGENT_TIMEOUT_MS);
  const signal = AbortSignal.any([stop, deadline.signal]);
  let answer;
  try {
    answer = await supervisor.conversationProcess(request, signal);
  } catch (error) {
    if (error instanceof SupervisorUnreachable) throw new AssistFailure(error.message);
    if (signal.aborted) throw new AssistFailure(stop.aborted ? 'the app is stopping' : `the agent did not answer within ${AGENT_TIMEOUT_MS / 1000} s`);
    throw new AssistFailure(`the answer could not be read (${(error as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
  if (answer.status !== 200) throw new AssistFailure(`Home Assistant answered HTTP ${answer.status}${describeError(answer.json)}`);
  const parsed = readAnswer(answer.json);
  if (!parsed) throw new AssistFailure('Home Assistant answered without a response the app understands');
  return parsed;
}

function readAnswer(json: unknown): AssistAnswer | null {
  const body = json as {
    response?: { response_type?: unknown; speech?: { plain?: { speech?: unknown } } };
    conversation_id?: unknown;
    continue_conversation?: unknown;
  } | null;
  const type = body?.response?.response_type;
  if (!RESPONSE_TYPES.includes(type as AssistAnswer['response_type'])) return null;
  const speech = body?.response?.speech?.plain?.speech;
  return {
    response_type: type as AssistAnswer['response_type'],
    speech: typeof speech === 'string' && speech.trim() ? speech.trim() : type === 'error' ? 'Home Assistant could not do that.' : 'Done.',
    conversation_id: typeof body?.conversation_id === 'string' ? body.conversation_id : null,
    continue_conversation: body?.continue_conversation === true,
  };
}

/** Home Assistant's `{"message": "..."}` of a 4xx (e.g. an unknown agent), shortened. */
function describeError(json: unknown): string {
  const message = (json as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
}
