import type { Options } from '../config/options.js';
import type { Destination, DestinationStatus } from '../delivery/destination.js';
import type { DestinationName } from '../bus-events.js';
import type { Part } from '../lifecycle.js';
import type { DestinationReports } from './registry.js';
import { destinationRow, type DestinationRow, type DestinationUnit, type UnitContext } from './unit.js';

/** What the destinations put in GET api/status: a row each, and the fields some of them add. */
export type DestinationsReport = DestinationReports & { destinations: DestinationRow[] };

/** The destinations' part of the report; `statusOf` answers null for one that is off (or when none runs). */
export function destinationsReport(
  units: readonly DestinationUnit[],
  options: Options,
  statusOf: (name: DestinationName) => DestinationStatus | null,
  now: number,
): DestinationsReport {
  const report: Record<string, unknown> = {};
  const rows = units.map((unit) => {
    const status = statusOf(unit.name);
    if (unit.report) report[unit.report.key] = unit.report.slice(options, status, now);
    return destinationRow(unit, status);
  });
  return { ...(report as DestinationReports), destinations: rows };
}

/**
 * The destinations the options turn on, built from the registry's units over one shared
 * context, started in the registry's order and stopped in reverse. Whoever forwards (intake,
 * status and connection events, media) hands each event to `all`.
 */
export class DestinationSet implements Part {
  readonly all: readonly Destination[];
  private readonly built: ReadonlyMap<DestinationName, Destination | null>;

  constructor(
    private readonly units: readonly DestinationUnit[],
    private readonly context: UnitContext,
  ) {
    this.built = new Map(units.map((unit) => [unit.name, unit.build(context)]));
    this.all = [...this.built.values()].filter((d): d is Destination => d !== null);
  }

  /** The running destination of that name, or null when it is off. */
  named(name: DestinationName): Destination | null {
    return this.built.get(name) ?? null;
  }

  async start(): Promise<void> {
    const { outbox, logger, options } = this.context;
    for (const unit of this.units) {
      const running = this.named(unit.name) !== null;
      if (!running && unit.dropQueuedWhenOff) {
        const dropped = outbox.discard(unit.name);
        if (dropped > 0) logger.info(`The ${unit.label} destination is off: dropped ${dropped} deliveries queued for it.`);
      }
      const line = unit.announce?.(options, running);
      if (line) logger.info(line);
    }
    for (const destination of this.all) await destination.start();
  }

  async stop(): Promise<void> {
    for (const destination of [...this.all].reverse()) await destination.stop();
  }

  /** Re-queues the dead deliveries of every destination; returns how many. */
  requeueDead(): number {
    return this.all.reduce((sum, d) => sum + d.requeueDead(), 0);
  }

  /** Deliveries waiting and dead, over every destination (the MQTT state sensor). */
  totals(): { waiting: number; dead: number } {
    let waiting = 0;
    let dead = 0;
    for (const destination of this.all) {
      const { counts } = destination.status();
      waiting += counts.queued;
      dead += counts.dead;
    }
    return { waiting, dead };
  }

  report(now = Date.now()): DestinationsReport {
    return destinationsReport(this.units, this.context.options, (name) => this.named(name)?.status(now) ?? null, now);
  }
}
