/**
 * The decryption-storm stage of `npm run bench` (`-- --storm-only` runs just this): the built
 * bridge gets N messages from 20 senders (who already have a session) as garbage ciphertext, as
 * after a LID migration (Baileys #2234, #2331); each is asked for again with a retry receipt and
 * the phone's resend decrypts. Prints the time until all were forwarded, the RSS at rest, at its
 * peak (sampled every 100 ms) and 60 s later, and the log lines the storm wrote.
 */
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { sleep } from '../../simulator/waits.js';

export interface StormFigures {
  messages: number;
  senders: number;
  seconds: number;
  restMb: number;
  peakMb: number;
  settledMb: number;
  settleSeconds: number;
  logLines: number;
}

const SENDERS = 20;
const SETTLE_MS = 60_000;
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export async function benchStorm(progress: (line: string) => void, messages: number): Promise<StormFigures> {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const bridge = await BridgeProcess.start({ options: webhookOptions(receiver.url), waUrl: sim.url, built: true });
  try {
    const stream = await StatusStream.open(bridge.ingressUrl);
    await sim.pairWithQr((await stream.waitFor((s) => s.state === 'qr', 30_000)).qr!);
    await stream.waitForState('connected', 30_000);
    stream.close();
    const senders = Array.from({ length: SENDERS }, (_, i) => sim.contact({ phone: `4917620000${String(i).padStart(3, '0')}`, pushName: `Sender ${i}` }));
    const hello = new Set(await sim.sendMany(SENDERS, (i) => ({ from: senders[i]!, text: 'hello' })));
    await receiver.waitFor(() => receiver.accepted.filter((p) => hello.has(p.id)).length >= SENDERS, 20_000);
    await sleep(5000);
    const rest = bridge.rss();
    const linesBefore = bridge.lines.length;
    let peak = rest;
    const sampler = setInterval(() => (peak = Math.max(peak, bridge.rss())), 100);
    progress(`storm: ${messages} undecryptable messages`);
    const started = performance.now();
    const wanted = new Set(await sim.sendMany(messages, (i) => ({ from: senders[i % SENDERS]!, text: `storm ${i}`, opts: { undecryptable: 'once' } })));
    // counted as they come: a scan of every request per request cost this process seconds
    const forwarded = new Set<string>();
    let scanned = 0;
    await receiver.waitFor(() => {
      for (; scanned < receiver.requests.length; scanned++) {
        const id = receiver.requests[scanned]!.json?.id;
        if (wanted.has(id)) forwarded.add(id);
      }
      return forwarded.size >= messages;
    }, 600_000);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await sleep(SETTLE_MS);
    const figures = {
      messages,
      senders: SENDERS,
      seconds: Math.round(seconds * 10) / 10,
      restMb: mb(rest),
      peakMb: mb(peak),
      settledMb: mb(bridge.rss()),
      settleSeconds: SETTLE_MS / 1000,
      logLines: bridge.lines.length - linesBefore,
    };
    return figures;
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
}
