import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { committedMessageIds } from '../support/state-file.js';
import { pairedDaemon, startDaemon } from '../support/paired-bridge.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';

/**
 * The messages WhatsApp kept while the bridge was stopped arrive as an offline backlog, which
 * Baileys processes on its own queue (see patches/). Killed while catching up, the bridge must have
 * committed every message WhatsApp has a receipt for; and a message arriving live meanwhile must
 * not overtake the older ones of its chat.
 */
test('kill -9 while the offline backlog is processed loses nothing, and live messages queue behind it', async (t) => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  let bridge = await pairedDaemon({ sim, receiver });
  let stream: StatusStream | null = null;
  try {
    await bridge.kill('SIGTERM');

    const alice = sim.contact({ phone: '4917600000091' });
    const bob = sim.contact({ phone: '4917600000092' });
    const backlog = await sim.sendMany(300, (i) => ({ from: i % 3 ? alice : bob, text: `backlog ${i}` }));
    const inBacklog = new Set(backlog);
    let receipted = 0;
    const fiftyReceipted = new Promise<void>((resolve) =>
      sim.events.on('receipt', (r) => {
        receipted += r.ids.filter((id) => inBacklog.has(id)).length;
        if (receipted >= 50) resolve();
      }),
    );
    bridge = await startDaemon({ sim, receiver, dataDir: bridge.dataDir });
    await fiftyReceipted;
    await bridge.kill('SIGKILL');
    const receiptedAtKill = new Set(sim.recorded.receipts.flatMap((r) => r.ids).filter((id) => inBacklog.has(id)));
    const committed = new Set(committedMessageIds(bridge.dataDir));
    t.diagnostic(`at the kill: ${receiptedAtKill.size} receipted, ${committed.size} committed`);
    assert.deepEqual(
      [...receiptedAtKill].filter((id) => !committed.has(id)),
      [],
      'WhatsApp has receipts for messages the outbox does not have',
    );

    // Restart; a live message from each chat arrives while the rest of the backlog is processed.
    bridge = await startDaemon({ sim, receiver, dataDir: bridge.dataDir });
    stream = await StatusStream.open(bridge.ingressUrl);
    await sim.waitForOnline(30_000);
    const live = [(await sim.sendText(alice, 'live from alice')).id, (await sim.sendText(bob, 'live from bob')).id];
    await sim.waitForAcks([...backlog, ...live], 30_000);
    await stream.waitFor((s) => s.webhook!.counters.queued === 0, 30_000, 'an empty outbox');

    const arrived = [...new Set(receiver.accepted.map((p) => p.id))];
    const lost = backlog.filter((id) => !arrived.includes(id));
    assert.deepEqual(lost, [], `${lost.length} of 300 lost`);
    for (const [who, contact, liveId] of [
      ['alice', alice, live[0]],
      ['bob', bob, live[1]],
    ] as const) {
      const sentOrder = [...backlog.filter((_, i) => (i % 3 ? alice : bob) === contact), liveId];
      assert.deepEqual(
        arrived.filter((id) => sentOrder.includes(id)),
        sentOrder,
        `${who}'s messages in the order sent`,
      );
    }
  } finally {
    stream?.close();
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});
