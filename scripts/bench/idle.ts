/**
 * The idle stage of `npm run bench` (`-- --idle-only` runs just this): the built bridge's RSS at
 * rest after pairing, with the default options (no MQTT broker to be had: the MQTT client is not
 * loaded) and with a real broker connected (Debian's mosquitto, Home Assistant entities
 * published). Each round pairs a fresh bridge, leaves it alone for 45 s, then takes the median
 * of 5 samples 3 s apart; the variants alternate so the machine's drift hits both alike.
 */
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { needsMosquitto, TestBroker } from '../../simulator/harness/mosquitto.js';
import { sleep } from '../../simulator/waits.js';

export interface IdleResult {
  rounds: number;
  /** Median RSS (MB) of each round, per variant; `withBroker` is empty without mosquitto. */
  plainMb: number[];
  withBrokerMb: number[];
}

const SETTLE_MS = 45_000;

export async function benchIdle(progress: (line: string) => void, rounds: number): Promise<IdleResult> {
  const broker = needsMosquitto ? null : await TestBroker.start();
  const result: IdleResult = { rounds, plainMb: [], withBrokerMb: [] };
  try {
    for (let round = 1; round <= rounds; round++) {
      progress(`idle: round ${round} of ${rounds}`);
      result.plainMb.push(await idleRss({}));
      if (broker) result.withBrokerMb.push(await idleRss(broker.options()));
    }
  } finally {
    await broker?.stop();
  }
  return result;
}

async function idleRss(extra: Record<string, unknown>): Promise<number> {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const bridge = await BridgeProcess.start({ options: webhookOptions(receiver.url, extra), waUrl: sim.url, built: true });
  try {
    const stream = await StatusStream.open(bridge.ingressUrl);
    await sim.pairWithQr((await stream.waitFor((s) => s.state === 'qr', 30_000)).qr!);
    await stream.waitForState('connected', 30_000);
    stream.close();
    await sleep(SETTLE_MS);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(bridge.rss() / 1024 / 1024);
      await sleep(3_000);
    }
    return Math.round(samples.sort((a, b) => a - b)[2]! * 10) / 10;
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
}
