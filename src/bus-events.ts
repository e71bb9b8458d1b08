import type { ChatFields } from './payload/message-payload.js';
import type { ConnectionStatus } from './whatsapp/connection-status.js';

// What travels on the bus. This module imports no module that imports bus.ts, so every feature
// can name these types without a cycle through the bus.

/** Where a queued delivery goes: a destination's name in the registry (src/destinations/registry.ts), as the outbox stores it. */
export type DestinationName = string;

/** `failed` is a test send that did not get a 2xx (tests are never queued). */
export type AttemptOutcome = 'delivered' | 'retrying' | 'dead' | 'paused' | 'failed';

/** One finished attempt, as the page's "recent deliveries" list shows it. */
export interface DeliveryAttempt {
  destination: DestinationName;
  at: number;
  messageId: string;
  chat: string;
  attempt: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  outcome: AttemptOutcome;
}

/** Why messages cannot be stored right now, for the page. */
export interface StorageProblem {
  since: number;
  message: string;
}

/** SQLite found the state file damaged while the app was using it; `during` says what the app was doing. */
export interface StateFileDamage {
  error: Error;
  during: string;
}

/**
 * A voice note's job ended with its transcript, or without one (`error` says why: the engine
 * failed, or the file could not be saved). `chat` is the message's chat as the outbox keys it.
 */
export interface VoiceTranscript {
  chat: string;
  messageId: string;
  transcript: string | null;
  error: string | null;
}

/** Everything the features tell each other. */
export interface BridgeEvents {
  /** The WhatsApp connection changed state (including a new QR or pairing code). */
  connection: [ConnectionStatus];
  /** One delivery attempt finished, whatever its outcome. */
  delivery: [DeliveryAttempt];
  /** New messages were committed to the outbox; `chats` says who wrote where (the messages', not the edits' or deletions'). */
  accepted: [{ count: number; chats: readonly ChatFields[] }];
  /** Storing messages stopped working (a problem), or works again (null). */
  storage: [StorageProblem | null];
  /** SQLite reported the state file damaged (SQLITE_CORRUPT, SQLITE_NOTADB): it is set aside and the app starts again (bridge-runner.ts). */
  damaged: [StateFileDamage];
  /** A voice note to transcribe was stored with its transcript (or without, and why); Assist answers from it. */
  transcript: [VoiceTranscript];
}
