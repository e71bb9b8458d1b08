import { EventEmitter } from 'node:events';
import type { BridgeEvents } from './bus-events.js';

/** A typed event bus shared by the features the controller composes. */
export class Bus extends EventEmitter<BridgeEvents> {}
