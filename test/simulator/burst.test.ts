import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { pairedClient } from './helpers.js';

const BURST = 1_000;

test(`a burst of ${BURST} messages is received completely, in send order, and acked`, async (t) => {
  const sim = await WaSimulator.start();
  try {
    const { client } = await pairedClient(sim);
    const senders = ['4917600000001', '4917600000002', '4917600000003', '4917600000004'].map((phone) => sim.contact({ phone }));
    const family = sim.group({ participants: senders });

    const started = performance.now();
    const ids = await sim.sendMany(BURST, (i) => ({
      from: senders[i % senders.length]!,
      text: `message ${i}`,
      ...(i % 10 === 0 ? { opts: { group: family } } : {}),
    }));
    const wanted = new Set(ids);
    const received = await client.messages(BURST, (u) => wanted.has(u.msg.key?.id ?? ''));
    const elapsed = performance.now() - started;
    await sim.waitForAcks(ids);
    t.diagnostic(`burst of ${BURST}: all received in ${Math.round(elapsed)} ms (${Math.round((BURST / elapsed) * 1000)} msg/s)`);

    assert.equal(new Set(received.map((u) => u.msg.key?.id)).size, BURST, 'no duplicates');
    const order = received.map((u) => Number(u.msg.message?.conversation?.split(' ')[1]));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      'delivered in send order',
    );
    client.end();
  } finally {
    await sim.stop();
  }
});
