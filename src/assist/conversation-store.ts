import type { Db } from '../state/database.js';

/** Home Assistant forgets a conversation after about 5 minutes of silence; so does the app. */
export const CONVERSATION_KEPT_MS = 5 * 60_000;

/** A chat's conversation with the agent, while Home Assistant still keeps it. */
export interface KeptConversation {
  id: string | null;
  /** The agent asked something back (`continue_conversation`): the chat's next message needs no prefix. */
  continuing: boolean;
}

/**
 * Each chat's conversation with Assist, in the state file (`assist_conversations`), so a restart
 * between two questions keeps it. A conversation silent for CONVERSATION_KEPT_MS is not passed
 * on (Home Assistant forgot it) and its row is deleted at the next write, so the table holds
 * only the chats of the last minutes.
 */
export class ConversationStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      find: db.prepare<[string, number], { conversation_id: string | null; continuing: number }>(
        'SELECT conversation_id, continuing FROM assist_conversations WHERE chat = ? AND used_at > ?',
      ),
      save: db.prepare<[string, string | null, number, number]>(
        'INSERT OR REPLACE INTO assist_conversations (chat, conversation_id, continuing, used_at) VALUES (?, ?, ?, ?)',
      ),
      forget: db.prepare<[string]>('DELETE FROM assist_conversations WHERE chat = ?'),
      forgetStale: db.prepare<[number]>('DELETE FROM assist_conversations WHERE used_at <= ?'),
    };
  }

  /** The chat's conversation, or null when there is none Home Assistant still keeps. */
  find(chat: string, now = Date.now()): KeptConversation | null {
    const row = this.statements.find.get(chat, now - CONVERSATION_KEPT_MS);
    return row ? { id: row.conversation_id, continuing: row.continuing === 1 } : null;
  }

  remember(chat: string, conversation: KeptConversation, now = Date.now()): void {
    this.statements.forgetStale.run(now - CONVERSATION_KEPT_MS);
    this.statements.save.run(chat, conversation.id, conversation.continuing ? 1 : 0, now);
  }

  forget(chat: string): void {
    this.statements.forget.run(chat);
  }
}
