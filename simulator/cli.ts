/**
 * Interactive loopback WhatsApp: `npx tsx simulator/cli.ts [--port N]` (or `npm run sim`).
 * Point the bridge at the printed URL, then type commands (`help`).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { proto } from '@whiskeysockets/baileys';
import { WaSimulator, type Contact, type Group, type StreamFault } from './index.js';
import { mediaContentOf } from './media-messages.js';
import { samplePng } from './sample-media.js';

const HELP = `commands:
  pair <qr-string>          scan the QR the bridge shows (the whole string, URL part optional)
  code <code>               enter the pairing code the bridge shows (requested for the account's phone)
  send <phone> <text>       a message from <phone> (created on first use)
  photo <phone> [file|-] [caption]
                            a photo from <phone>: the file (jpg, png, webp) or, without one (or -), a small PNG
  group <text>              a message from the first member into the demo group
  burst <n>                 n messages back to back, reports when all are acked
  unlink                    log the device out (401, creds forgotten)
  fault <code>              401 | 440 | 403 | 500 | 515 | 428 (close socket) | 408 (go silent)
  refuse <ms>               reset new connections for <ms>
  help | quit`;

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif' };

/** One line for a message the client sent; media is decrypted from the host to show it arrived whole. */
function describeOutgoing(sim: WaSimulator, message: proto.IMessage): string {
  const media = mediaContentOf(message);
  if (!media) return message.conversation ?? message.extendedTextMessage?.text ?? Object.keys(message).join(',');
  let size: string;
  try {
    size = `${sim.media!.download(message).length} bytes decrypted`;
  } catch (err) {
    size = err instanceof Error ? err.message : String(err);
  }
  return `[${media.kind}, ${size}] ${media.media.caption ?? ''}`.trim();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
  const sim = await WaSimulator.start({ port: Number(values.port), media: true });
  const say = (line: string) => console.log(`[sim] ${line}`);
  say(`listening on ${sim.url}  (account +${sim.account.phone}, lid ${sim.account.lid})`);
  say(`point the bridge at it:  WA_WEBSOCKET_URL=${sim.url}`);
  say(`media host https://${sim.media!.hostname}, trust its CA:  NODE_EXTRA_CA_CERTS=${sim.media!.caFile}`);
  say(`type "help" for commands`);

  sim.events.on('connection', (c) => say(`connection #${c.number} accepted`));
  sim.events.on('registration', () => say('a new device wants to pair: "pair <qr>" or "code <code>"'));
  sim.events.on('paired', (d) => say(`paired ${d.deviceJid}; the client restarts (515)`));
  sim.events.on('online', (c) => say(`${c.deviceJid} is online (connection #${c.number})`));
  sim.events.on('disconnect', (c) => say(`connection #${c.number} closed`));
  sim.events.on('refused', () => say('connection refused'));
  sim.events.on('outgoing', (m) => say(`client -> ${m.to}: ${describeOutgoing(sim, m.message)}`));

  let group: Group | undefined;
  const demoGroup = (): Group => {
    group ??= sim.group({
      subject: 'Simulated group',
      participants: [sim.contact({ phone: '4917600000001', pushName: 'Alice' }), sim.contact({ phone: '4917600000002', pushName: 'Bob' })],
    });
    return group;
  };
  const burst = async (n: number, from: Contact) => {
    const started = performance.now();
    const ids = await sim.sendMany(n, (i) => ({ from, text: `burst ${i + 1}/${n}` }));
    await sim.waitForAcks(ids, 120_000);
    say(`${n} messages acked in ${Math.round(performance.now() - started)} ms`);
  };

  const run = async (line: string): Promise<boolean> => {
    const [command = '', ...args] = line.trim().split(/\s+/);
    const rest = line.trim().slice(command.length).trim();
    switch (command) {
      case '':
        return true;
      case 'pair':
        say(`paired ${(await sim.pairWithQr(rest)).jid}`);
        return true;
      case 'code':
        say(`paired ${(await sim.pairWithCode(rest, { timeoutMs: 60_000 })).jid}`);
        return true;
      case 'send': {
        const [phone = '', ...words] = args;
        const { id } = await sim.sendText(sim.contact({ phone, pushName: `Contact ${phone.slice(-4)}` }), words.join(' '));
        say(`sent ${id}`);
        return true;
      }
      case 'photo': {
        const [phone = '', file = '-', ...words] = args;
        const data = file === '-' ? samplePng() : await readFile(file);
        const mimetype = file === '-' ? 'image/png' : (IMAGE_TYPES[extname(file).toLowerCase()] ?? 'image/jpeg');
        const from = sim.contact({ phone, pushName: `Contact ${phone.slice(-4)}` });
        const { id } = await sim.sendMedia(from, { kind: 'image', data, mimetype, ...(words.length ? { caption: words.join(' ') } : {}) });
        say(`sent photo ${id} (${data.length} bytes)`);
        return true;
      }
      case 'group': {
        const g = demoGroup();
        say(`sent ${(await sim.sendText(g.participants[0]!, rest, { group: g })).id} to ${g.jid}`);
        return true;
      }
      case 'burst':
        void burst(Number(args[0] ?? 100), sim.contact({ phone: '4917600000009', pushName: 'Burst' })).catch((err) => say(String(err)));
        return true;
      case 'unlink':
        await sim.unlink();
        return true;
      case 'fault': {
        const code = Number(args[0]);
        if (code === 428) sim.closeSocket();
        else if (code === 408) sim.goSilent();
        else if ([401, 403, 440, 500, 515].includes(code)) sim.streamError(code as StreamFault);
        else say('fault codes: 401 440 403 500 515 428 408');
        return true;
      }
      case 'refuse':
        sim.refuseConnections(Number(args[0] ?? 10_000));
        return true;
      case 'help':
        console.log(HELP);
        return true;
      case 'quit':
      case 'exit':
        return false;
      default:
        say(`unknown command "${command}" (try help)`);
        return true;
    }
  };

  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    try {
      if (!(await run(line))) break;
    } catch (err) {
      say(err instanceof Error ? err.message : String(err));
    }
  }
  rl.close();
  await sim.stop();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
