import { Bridge, type BridgeSettings } from './bridge.js';
import { Bus } from './bus.js';
import type { OptionProblem } from './config/options.js';
import type { Part } from './lifecycle.js';
import type { StateFileDamage } from './bus-events.js';
import { isCorruption } from './state/corruption.js';
import { damagedName, damagedNotice, setAsideDamaged } from './state/state-file.js';
import { IngressServer } from './web/ingress-server.js';
import { unavailableActions } from './web/unavailable.js';
import { DESTINATION_UNITS } from './destinations/registry.js';

/** A new state file damaged again within this time is not replaced again: the disk is suspect. */
export const REPEAT_WINDOW_MS = 10 * 60_000;

type Ports = { ingressPort: number; apiPort: number };

/**
 * Runs the bridge, and recovers when SQLite reports the state file damaged while it runs (a
 * `damaged` event on the bus, or a corruption thrown where nothing caught it): one log line, the
 * bridge stops, the file is set aside exactly as a damaged file found at start
 * (`whatsapp-bridge.db.damaged-<UTC>`, with -wal/-shm), and a new bridge starts on a new file, so
 * the page shows a QR code and the notice, and the connection events fire as on any start. If
 * the new file is damaged too within REPEAT_WINDOW_MS, only the page is served, explaining it:
 * no restart loop.
 */
export class BridgeRunner {
  private bridge: Bridge | null = null;
  /** The page alone, once the app gave up on state files. */
  private pageOnly: Part | null = null;
  private ports: Ports = { ingressPort: 0, apiPort: 0 };
  private recovery: Promise<void> | null = null;
  /** A damage the current bridge reported while the recovery was still starting it. */
  private pending: StateFileDamage | null = null;
  private launching = false;
  /** When the last new state file was started after a damaged one. */
  private replacedAt: number | null = null;
  private stopping = false;

  /** `fatal`: starting again failed (e.g. the page's port was taken meanwhile); main.ts logs it and exits. */
  constructor(
    private readonly settings: BridgeSettings,
    private readonly fatal: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the bridge (and, if its file turns out damaged while starting, a new one). */
  async start(): Promise<Ports> {
    const damage = await this.launch([]);
    if (damage) this.damaged(damage);
    await this.recovery;
    return this.ports;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.recovery;
    await this.bridge?.stop();
    await this.pageOnly?.stop();
  }

  /**
   * SQLite reported the state file damaged. `from` is the bridge whose bus reported it; null for
   * a corruption nobody caught (main.ts). While a bridge starts, the report waits for its start.
   */
  damaged(damage: StateFileDamage, from: Bridge | null = null): void {
    if (this.stopping || this.pageOnly || (from && from !== this.bridge)) return;
    if (this.launching) {
      this.pending ??= damage;
      return;
    }
    if (this.recovery) return; // the bridge being stopped for it, still reporting
    // Not inside the statement's caller (Baileys' event, a delivery): the stop would run under it.
    this.recovery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.recover(damage))
      .catch((error) => this.fatal(error))
      .finally(() => (this.recovery = null));
  }

  private async recover(first: StateFileDamage): Promise<void> {
    const { env, logger } = this.settings;
    for (let damage: StateFileDamage | null = first; damage && !this.stopping;) {
      const repeated = this.replacedAt !== null && this.now() - this.replacedAt < REPEAT_WINDOW_MS;
      const aside = damagedName(new Date(this.now()));
      const found = `SQLite reported "${damage.error.message}" (${(damage.error as { code?: string }).code ?? 'corrupt'}) while ${damage.during}`;
      if (repeated) {
        const after = Math.round((this.now() - this.replacedAt!) / 1000);
        logger.error(
          `The new state file is damaged too, ${after} s after it was started: ${found}. It is set aside as ${aside}, and the app does not start again by itself: the disk of the Home Assistant host is probably failing. Check it (a failing SD card is common), then restart the app.`,
        );
      } else {
        logger.error(`The state file is damaged: ${found}. The app sets it aside as ${aside} and starts again with a new one: link WhatsApp again.`);
      }
      await this.bridge?.stop();
      this.bridge = null;
      try {
        setAsideDamaged(env.dataDir, aside);
      } catch (error) {
        return this.servePageOnly(
          `The state file is damaged (${found}) and could not be set aside (${(error as Error).message}). Check the disk of the Home Assistant host, then restart the app.`,
        );
      }
      if (repeated) {
        return this.servePageOnly(
          `The state file was damaged again right after it was replaced (${found}); both were set aside, the last as ${aside}. The disk of the Home Assistant host is probably failing: check it, then restart the app.`,
        );
      }
      if (this.stopping) return; // SIGTERM meanwhile: the file is set aside, nothing new starts
      this.replacedAt = this.now();
      damage = await this.launch([{ option: 'state_file', message: damagedNotice(aside) }]);
    }
  }

  /** Starts a bridge with these notices on the page besides the options' problems; returns the damage if its file turned out damaged while starting. */
  private async launch(notices: readonly OptionProblem[]): Promise<StateFileDamage | null> {
    const bridge = new Bridge({ ...this.settings, env: this.sameEnvironment(), notices });
    this.bridge = bridge;
    bridge.bus.on('damaged', (damage) => this.damaged(damage, bridge));
    this.pending = null;
    this.launching = true;
    try {
      this.ports = await bridge.start();
      return this.pending;
    } catch (error) {
      if (!isCorruption(error)) throw error;
      return { error: error as Error, during: 'starting' };
    } finally {
      this.launching = false;
      this.pending = null;
    }
  }

  /** Only the page, explaining why the app stopped using state files (as web/unavailable.ts does for a file it refuses at start). */
  private async servePageOnly(message: string): Promise<void> {
    const { env, parsed, logger } = this.settings;
    const page = new IngressServer({
      host: env.ingressHost,
      port: this.sameEnvironment().ingressPort,
      allowedClient: env.ingressAllowedClient,
      actions: unavailableActions(this.settings.destinations ?? DESTINATION_UNITS, parsed.options, [...parsed.problems, { option: 'state_file', message }]),
      bus: new Bus(),
      logger,
    });
    await page.start();
    this.pageOnly = page;
  }

  /** The environment with the ports bound before, so a restart keeps the page's address even when the ports were "any" (0). */
  private sameEnvironment(): BridgeSettings['env'] {
    const { env } = this.settings;
    return { ...env, ingressPort: this.ports.ingressPort || env.ingressPort, apiPort: this.ports.apiPort || env.apiPort };
  }
}
