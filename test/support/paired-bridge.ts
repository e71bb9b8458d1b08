import assert from 'node:assert/strict';
import { WaSimulator, type SimulatorOptions } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver, type Responder } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import type { DestinationUnit } from '../../src/destinations/unit.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { startBridge, type InProcessBridge } from './bridge-harness.js';

export interface BridgeWithReceiverOptions {
  /** Options over webhookOptions' defaults, as options.json would hold them. */
  options?: Record<string, unknown>;
  /** Appended to the receiver's URL in webhook_url (e.g. a secret webhook id). */
  webhookPath?: string;
  /** How the receiver answers (default: 200 at once). */
  respond?: Responder;
  simulator?: SimulatorOptions;
  /** Extra environment, e.g. a fake Supervisor's. */
  env?: Record<string, string>;
  keepAliveIntervalMs?: number;
  /** Where messages go, when not the registry's list. */
  destinations?: readonly DestinationUnit[];
}

export interface BridgeWithReceiver {
  sim: WaSimulator;
  receiver: TestReceiver;
  /** The running bridge; `restart` replaces it. */
  bridge: InProcessBridge;
  /** Stops the bridge and starts it again with the same options on the same state. */
  restart(): Promise<InProcessBridge>;
  /** Stops the bridge, the simulator and the receiver. */
  close(): Promise<void>;
}

/** Simulator -> real Baileys -> the bridge in this process -> a real HTTP receiver; not paired yet. */
export async function bridgeWithReceiver(opts: BridgeWithReceiverOptions = {}): Promise<BridgeWithReceiver> {
  const sim = await WaSimulator.start(opts.simulator);
  const receiver = await TestReceiver.start();
  if (opts.respond) receiver.respondWith(opts.respond);
  const options = webhookOptions(receiver.url + (opts.webhookPath ?? ''), opts.options);
  const start = (dataDir?: string) =>
    startBridge({ waUrl: sim.url, options, dataDir, env: opts.env, keepAliveIntervalMs: opts.keepAliveIntervalMs, destinations: opts.destinations });
  const setup: BridgeWithReceiver = {
    sim,
    receiver,
    bridge: await start(),
    async restart() {
      await setup.bridge.stop();
      setup.bridge = await start(setup.bridge.dataDir);
      return setup.bridge;
    },
    async close() {
      await setup.bridge.stop();
      await sim.stop();
      await receiver.close();
    },
  };
  return setup;
}

/** The same, paired from the QR the status API shows, and connected. */
export async function pairedBridge(opts: BridgeWithReceiverOptions = {}): Promise<BridgeWithReceiver> {
  const setup = await bridgeWithReceiver(opts);
  try {
    const status = await setup.bridge.status.waitForState('qr');
    assert.ok(status.qr, 'the status API shows a QR while not paired');
    await setup.sim.pairWithQr(status.qr);
    await setup.bridge.status.waitForState('connected');
    return setup;
  } catch (error) {
    await setup.close();
    throw error;
  }
}

export interface DaemonOptions {
  sim: WaSimulator;
  receiver: TestReceiver;
  /** A state directory to start on (a restart); a new one by default. */
  dataDir?: string;
  /** Options over webhookOptions' defaults. */
  options?: Record<string, unknown>;
  /** Extra environment, e.g. NODE_EXTRA_CA_CERTS for the simulator's media host. */
  env?: Record<string, string>;
  /** A command the daemon runs under (BridgeProcess's `wrapper`). */
  wrapper?: string[];
}

/** The daemon as a child process (BridgeProcess), forwarding to the receiver; returns once it listens. */
export function startDaemon(opts: DaemonOptions): Promise<BridgeProcess> {
  return BridgeProcess.start({
    options: webhookOptions(opts.receiver.url, opts.options),
    waUrl: opts.sim.url,
    dataDir: opts.dataDir,
    env: opts.env,
    wrapper: opts.wrapper,
  });
}

/** The same, once connected: paired from its QR first, unless its state holds a pairing already. */
export async function pairedDaemon(opts: DaemonOptions): Promise<BridgeProcess> {
  const bridge = await startDaemon(opts);
  let stream: StatusStream | null = null;
  try {
    stream = await StatusStream.open(bridge.ingressUrl);
    // Generous: a cold start right after a kill, on a loaded CI machine.
    const first = await stream.waitFor((s) => s.state === 'qr' || s.state === 'connected', 30_000);
    if (first.state === 'qr') await opts.sim.pairWithQr(first.qr!);
    await stream.waitForState('connected', 30_000);
    return bridge;
  } catch (error) {
    await bridge.kill('SIGKILL');
    throw error;
  } finally {
    stream?.close();
  }
}
