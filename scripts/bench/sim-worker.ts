/**
 * The simulator in its own process for the benchmark, driven over IPC, so its encryption work
 * does not share an event loop with the client being measured.
 */
import { WaSimulator } from '../../simulator/index.js';
import type { Contact } from '../../simulator/index.js';
import { now, type SimCommand, type SimReply } from './protocol.js';
import { sleep } from '../../simulator/waits.js';

const sim = await WaSimulator.start();
const contacts: Contact[] = Array.from({ length: 10 }, (_, i) => sim.contact({ phone: `49176100000${i}`, pushName: `Bench ${i}` }));
const receiptAt = new Map<string, number>();
sim.events.on('receipt', (r) => {
  const at = now();
  for (const id of r.ids) if (!receiptAt.has(id)) receiptAt.set(id, at);
});

const reply = (message: SimReply) => process.send!(message);
reply({ kind: 'ready', url: sim.url });

process.on('message', async (command: SimCommand) => {
  switch (command.kind) {
    case 'pair':
      await sim.pairWithQr(command.qr);
      reply({ kind: 'done' });
      return;
    case 'burst': {
      const startedAt = now();
      await sim.sendMany(command.count, (i) => ({ from: contacts[i % command.chats]!, text: `burst:${command.tag}:${i} sent ${now()}` }));
      reply({ kind: 'sent', startedAt, endedAt: now() });
      return;
    }
    case 'steady': {
      // One message every 1000/rate ms, each stamped with its send time for the latency figure.
      const interval = 1000 / command.rate;
      const startedAt = now();
      for (let i = 0; i < command.count; i++) {
        const due = startedAt + i * interval;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        await sim.sendText(contacts[i % command.chats]!, `steady ${i} sent ${now()}`);
      }
      reply({ kind: 'sent', startedAt, endedAt: now() });
      return;
    }
    case 'receipts':
      reply({ kind: 'receipts', at: Object.fromEntries(receiptAt) });
      return;
    case 'stop':
      await sim.stop();
      process.exit(0);
  }
});
