import { EventEmitter } from 'node:events';
import type { ConnectionStatus } from './whatsapp/connection-status.js';
import type { DeliveryAttempt } from './delivery/delivery-log.js';
import type { StorageProblem } from './state/storage-watch.js';
import type { StateFileDamage } from './state/corruption.js';

/** Everything the features tell each other. */
export interface BridgeEvents {
  /** The WhatsApp connection changed state (including a new QR or pairing code). */
  connection: [ConnectionStatus];
  /** One delivery attempt finished, whatever its outcome. */
  delivery: [DeliveryAttempt];
  /** New messages were committed to the outbox. */
  accepted: [{ count: number }];
  /** Storing messages stopped working (a problem), or works again (null). */
  storage: [StorageProblem | null];
  /** SQLite reported the state file damaged (SQLITE_CORRUPT, SQLITE_NOTADB): it is set aside and the app starts again (restart.ts). */
  damaged: [StateFileDamage];
}

/** A typed event bus shared by the features the controller composes. */
export class Bus extends EventEmitter<BridgeEvents> {}
