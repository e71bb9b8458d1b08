import { parseRecipient } from '../whatsapp/jid.js';
import type { OptionReader } from './option-reader.js';

/** Who may talk to Home Assistant's Assist from WhatsApp (`assist_chats`), and how. */
export interface AssistOptions {
  /** False when `assist_chats` is empty (the default) or Assist cannot work here. */
  readonly on: boolean;
  /** The allowed chats as written in the option, for the page. */
  readonly chats: readonly string[];
  /** Phone JIDs and LID JIDs of the people allowed in their 1:1 chat. */
  readonly people: readonly string[];
  /** Group JIDs allowed. */
  readonly groupJids: readonly string[];
  /** Group subjects, looked up in the chat directory when a message comes. */
  readonly groupNames: readonly string[];
  /** The account's own "Message yourself" chat (`self`). */
  readonly self: boolean;
  /** `assist_agent`: a `conversation.*` entity; null: Home Assistant's default agent. */
  readonly agent: string | null;
  /** `assist_prefix`: in groups only messages starting with it reach Assist. */
  readonly prefix: string;
}

export const ASSIST_OFF: AssistOptions = { on: false, chats: [], people: [], groupJids: [], groupNames: [], self: false, agent: null, prefix: '@home' };

const CONVERSATION_ENTITY = /^conversation\.[a-z0-9_]+$/;
/** An entry meant as an address; one that does not parse is a mistake, not a group name. */
const JID_ENDING = /@(g\.us|s\.whatsapp\.net|lid)$/;
const OFF = 'Assist stays off until it is fixed';

/** The Assist options; a wrong agent turns Assist off (answering through another agent than chosen is worse). */
export function readAssistOptions(read: OptionReader): AssistOptions {
  const prefix = read.text('assist_prefix') ?? ASSIST_OFF.prefix;
  const agent = read.text('assist_agent');
  const entries = read.list('assist_chats', 'a list of phone numbers, group JIDs, group names or self', OFF) ?? [];
  const chats: string[] = [];
  const people: string[] = [];
  const groupJids: string[] = [];
  const groupNames: string[] = [];
  const wrong: string[] = [];
  let self = false;
  for (const entry of entries) {
    const text = typeof entry === 'string' ? entry.trim() : '';
    if (!text) {
      wrong.push(JSON.stringify(entry)?.slice(0, 40) ?? 'an empty entry');
      continue;
    }
    const recipient = parseRecipient(text);
    const looksLikeJid = JID_ENDING.test(text);
    if (looksLikeJid && !recipient) {
      wrong.push(JSON.stringify(text.slice(0, 40)));
      continue;
    }
    chats.push(text);
    if (text.toLowerCase() === 'self') self = true;
    else if (recipient?.kind === 'group') groupJids.push(recipient.jid);
    else if (recipient) people.push(recipient.jid);
    else groupNames.push(text);
  }
  if (wrong.length) {
    read.problem('assist_chats', `may list phone numbers with country code, group JIDs, group names or self; ${wrong.join(', ')} left out`);
  }
  const badAgent = agent !== null && !CONVERSATION_ENTITY.test(agent);
  if (badAgent) {
    read.problem(
      'assist_agent',
      `must be a conversation entity id such as conversation.home_assistant (Settings > Voice assistants), not "${agent.slice(0, 40)}"; ${OFF}`,
    );
  }
  const wanted = chats.length > 0 && !badAgent;
  const on = wanted && read.requiresSupervisor('assist_chats', OFF);
  return { on, chats, people, groupJids, groupNames, self, agent: badAgent ? null : agent, prefix };
}
