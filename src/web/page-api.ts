import type { DeliveryAttempt } from '../bus-events.js';
import type { ChatEntry, ChatsAnswer } from '../directory/chat-list.js';
import type { StatusReport } from './status-report.js';
import type { UnlinkConfirmation } from './unlink-confirmation.js';

export type { ChatEntry, ChatsAnswer, DeliveryAttempt, StatusReport };

/**
 * What the page's requests answer, by path (relative to the page, as its scripts write them).
 * The ingress server's handlers answer these types and the page's JavaScript (src/web/public/js,
 * checked by tsconfig.page.json) reads them, so a field renamed on one side fails the type-check.
 */
export interface PageGets {
  'api/status': StatusReport;
  'api/deliveries': DeliveriesAnswer;
  'api/chats': ChatsAnswer;
}

/** Each action: the JSON body it takes and what it answers (a failure answers `PageError`). */
export interface PagePosts {
  'api/pairing-code': { body: { phone: string }; answer: PairingCodeAnswer };
  'api/passkey': { body: { result: string }; answer: Done };
  'api/passkey/cancel': { body: NoBody; answer: Done };
  'api/reconnect': { body: NoBody; answer: Done };
  'api/logout/confirmation': { body: NoBody; answer: ReturnType<UnlinkConfirmation['issue']> };
  'api/logout': { body: { confirmation: string }; answer: Done };
  'api/webhook/test': { body: NoBody; answer: WebhookTestAnswer };
  'api/deliveries/retry-dead': { body: NoBody; answer: RetryDeadAnswer };
  'api/message-api/token': { body: NoBody; answer: TokenAnswer };
}

type NoBody = Record<string, never>;

interface Done {
  ok: true;
}

/** The latest attempts of every destination, newest first (`?limit=` of them, 50 unless told). */
export interface DeliveriesAnswer {
  deliveries: DeliveryAttempt[];
}

export interface PairingCodeAnswer {
  code: string;
}

/** The test send's outcome: `status` null when the receiver was not reached (`error` says why). */
export interface WebhookTestAnswer {
  delivered: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** How many dead deliveries (of every destination) went back into the queue. */
export interface RetryDeadAnswer {
  requeued: number;
}

/** The message API's token, asked for on click (never part of the status). */
export interface TokenAnswer {
  token: string;
}

/** A refused or failed request: one line that says what to fix. */
export interface PageError {
  error: string;
}
