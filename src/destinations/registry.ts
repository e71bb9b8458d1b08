import { haEventsUnit } from './ha-events/ha-events-unit.js';
import { mqttEventsUnit } from './mqtt-events/mqtt-events-unit.js';
import type { DestinationUnit } from './unit.js';
import { webhookUnit } from './webhook/webhook-unit.js';

/**
 * Every place messages go, in the order they are built and started. The outbox's names, the
 * page's rows and its re-queue button, GET api/status and the unavailable page all come from
 * this list; adding a destination is a folder and a line here (docs/architecture.md).
 */
export const DESTINATION_UNITS = [webhookUnit, haEventsUnit, mqttEventsUnit] as const satisfies readonly DestinationUnit[];

type SliceOf<U> = U extends { readonly report: { readonly key: infer K extends string; slice(...args: never[]): infer S } } ? { [P in K]: S } : never;
type Intersection<U> = (U extends unknown ? (slice: U) => void : never) extends (slice: infer I) => void ? I : never;

/** The fields the listed destinations add to GET api/status (`webhook`, `ha_events`), from their own reports. */
export type DestinationReports = Intersection<SliceOf<(typeof DESTINATION_UNITS)[number]>>;
