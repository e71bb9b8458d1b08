/**
 * A loopback WhatsApp for the real Baileys client: see docs/simulator.md.
 */
export { WaSimulator } from './simulator.js';
export type { PairedDevice } from './account.js';
export type { Contact } from './contacts.js';
export type {
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
export { memoryKeyStore } from './memory-store.js';
export { phoneChat, type PhoneChat, type ShownMessage } from './phone-chat.js';
export type { PairOptions } from './pairing.js';
export type { PasskeyOptions, PasskeyRequest } from './passkey.js';
export { TestAuthenticator, type PasskeyAssertion } from './passkey-authenticator.js';
export type { MediaHost } from './media-host.js';
export { samplePng } from './sample-media.js';
export { HOSTILE_FILE_NAMES, HOSTILE_MIMETYPES, markupAsImage, sampleHtml, samplePdf, sampleSvg } from './hostile-media.js';
export type { MediaKind, MediaRequest, MediaRetryResult, MediaSpec, MediaUpload, RecordedMediaRetry, SendMediaResult } from './media-types.js';
export type {
  AccountInfo,
  Arrival,
  BurstItem,
  ConnectionInfo,
  ContactSpec,
  Group,
  GroupSpec,
  Logger,
  OutgoingMessage,
  Recorded,
  RecordedAck,
  RecordedIq,
  RecordedReceipt,
  RecordedPresence,
  RecordedRetry,
  SendOptions,
  SendResult,
  SimulatorEvents,
  SimulatorOptions,
  StreamFault,
} from './types.js';
