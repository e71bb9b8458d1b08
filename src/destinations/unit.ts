import type { Options } from '../config/options.js';
import type { Destination, DestinationContext, DestinationStatus } from '../delivery/destination.js';
import type { DestinationName } from '../bus-events.js';
import type { MqttLink } from '../mqtt/mqtt-link.js';
import type { SupervisorClient } from '../supervisor/supervisor-client.js';

/** What a destination may be built from: the shared queue, log, bus and logger, the options, the Supervisor, the MQTT link. */
export interface UnitContext extends DestinationContext {
  options: Options;
  /** Home Assistant's Supervisor (its Core proxy); null outside Home Assistant. */
  supervisor: SupervisorClient | null;
  mqttLink: MqttLink;
}

/** A destination's row on the page and in GET api/status (`destinations`); the same shape for every destination. */
export interface DestinationRow {
  name: DestinationName;
  label: string;
  /** Built and sending (its options turn it on). */
  enabled: boolean;
  /** Where it sends: host only, never a token. */
  target: string | null;
  paused: string | null;
  delivered: number;
  queued: number;
  retrying: number;
  dead: number;
}

/**
 * One place messages go, as the rest of the app sees it: its name in the outbox and the
 * delivery log, its label on the page, how it is built (null: off), and what else it shows in
 * GET api/status. The registry (registry.ts) lists them; the durable queue, retries, per-chat
 * order, dead-lettering, its row and the re-queue button come with being listed.
 */
export interface DestinationUnit {
  readonly name: DestinationName;
  readonly label: string;
  build(context: UnitContext): Destination | null;
  /** Rows left from when it was on are dropped at start while it is off (nothing would ever send them). */
  readonly dropQueuedWhenOff?: boolean;
  /** Its own fields in GET api/status besides its row, from the options and its status (null: not running). */
  readonly report?: { readonly key: string; slice(options: Options, status: DestinationStatus | null, now: number): unknown };
  /** One line for the log at start: where messages go, or why not (null: nothing to say). */
  announce?(options: Options, running: boolean): string | null;
}

/** What every destination's queue is built over, out of the wider context. */
export function shared({ outbox, log, bus, logger }: UnitContext): DestinationContext {
  return { outbox, log, bus, logger };
}

/** The row of a destination: `status` null while it is off or the state file cannot be used. */
export function destinationRow(unit: DestinationUnit, status: DestinationStatus | null): DestinationRow {
  const counts = status?.counts;
  return {
    name: unit.name,
    label: unit.label,
    enabled: status !== null,
    target: status?.target ?? null,
    paused: status?.paused ?? null,
    delivered: counts?.delivered ?? 0,
    queued: counts?.queued ?? 0,
    retrying: counts?.retrying ?? 0,
    dead: counts?.dead ?? 0,
  };
}
