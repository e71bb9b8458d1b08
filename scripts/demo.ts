/**
 * npm run demo
 *
 * The whole thing on one machine, nothing from the internet: the loopback WhatsApp simulator,
 * the bridge (the real daemon, with its real log), and the example webhook receiver from
 * docs/examples printing what arrives. The simulator's phone scans the QR from the bridge's
 * status API by itself, then a few people send messages. Ctrl+C stops everything.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WaSimulator } from '../simulator/index.js';
import { BridgeProcess } from '../simulator/harness/bridge-process.js';
import { StatusStream } from '../simulator/harness/status-stream.js';

const say = (line: string) => console.log(`\x1b[36m[demo]\x1b[0m ${line}`);

const receiver = spawn(process.execPath, [fileURLToPath(new URL('../docs/examples/receiver.mjs', import.meta.url))], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WEBHOOK_TOKEN: 'demo-token' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const receiverPort = await new Promise<string>((resolve) => {
  receiver.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().trim().split('\n')) {
      const listening = /Listening on port (\d+)/.exec(line);
      if (listening) resolve(listening[1]!);
      else console.log(`\x1b[32m[receiver]\x1b[0m ${line}`);
    }
  });
});

const sim = await WaSimulator.start();
say(`WhatsApp simulator at ${sim.url}; webhook receiver on port ${receiverPort}.`);
const bridge = await BridgeProcess.start({
  waUrl: sim.url,
  options: { webhook_enabled: true, webhook_url: `http://127.0.0.1:${receiverPort}/webhook`, webhook_token: 'demo-token', log_level: 'info' },
});
bridge.child.stdout!.pipe(process.stdout);
say(`The bridge's page: ${bridge.ingressUrl} (open it in a browser on this machine).`);

const status = await StatusStream.open(bridge.ingressUrl);
const qr = await status.nextQr();
say("The simulator's phone scans the QR from the status API…");
await sim.pairWithQr(qr);
await status.waitForState('connected');

const alice = sim.contact({ phone: '4917612345678', pushName: 'Alice' });
const bob = sim.contact({ phone: '4915198765432', pushName: 'Bob' });
const family = sim.group({ subject: 'Family', participants: [alice, bob] });
await sim.sendText(alice, 'Hi! Is the front door locked?');
await sim.sendText(bob, 'Dinner is ready 🍝', { group: family });
await sim.sendMessage(alice, { locationMessage: { degreesLatitude: 52.5163, degreesLongitude: 13.3777, name: 'Brandenburg Gate' } });
await sim.sendText(bob, 'Sent by phone-number addressing', { addressing: 'pn' });
say('Four messages sent. Send more by editing scripts/demo.ts, or try `npm run sim` for an interactive simulator. Ctrl+C to stop.');

process.once('SIGINT', async () => {
  status.close();
  await bridge.kill('SIGTERM');
  await sim.stop();
  receiver.kill();
  process.exit(0);
});
