import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WAMessage } from '@whiskeysockets/baileys';
import { WaSimulator } from '../../simulator/index.js';
import { sleep } from '../../simulator/waits.js';
import { pairedClient } from './helpers.js';

const FIRST_BURST = 12;
const SECOND_BURST = 6;

/**
 * The bridge's way of answering (Assist): a `messages.upsert` handler queues a reply per message
 * on a promise chain, so each reply is encrypted later, in the async context of the handler. The
 * patched Baileys emits messages.upsert inside the receiving key-store transaction: before the
 * patch's fix every such reply reused that ended transaction's cached session and went out with
 * the same message key (counter 0), and the contact could decrypt only the first.
 */
test('replies queued from messages.upsert, while the contact keeps writing, all decrypt in the contact, in order', async () => {
  const sim = await WaSimulator.start();
  try {
    const { client } = await pairedClient(sim);
    const carol = sim.contact({ phone: '4917600000003', pushName: 'Carol' });
    let turn: Promise<unknown> = Promise.resolve();
    let replies = 0;
    const replyTo = (msg: WAMessage) => {
      const text = `answer to ${msg.message?.conversation}`;
      replies++;
      turn = turn.then(async () => {
        await sleep(5); // as an agent takes a moment: the receiving transaction has ended by then
        await client.sock.sendMessage(carol.jid, { text }, { quoted: msg });
      });
    };
    client.sock.ev.on('messages.upsert', ({ messages, type }) => {
      for (const msg of messages) if (type === 'notify' && !msg.key.fromMe && msg.message?.conversation) replyTo(msg);
    });

    const first = await sim.sendMany(FIRST_BURST, (i) => ({ from: carol, text: `question ${i}` }));
    // the contact writes again while the first answers are still going out
    const answers = [await sim.waitForOutgoing((m) => m.recipient === carol)];
    const second = await sim.sendMany(SECOND_BURST, (i) => ({ from: carol, text: `question ${FIRST_BURST + i}` }));
    await sim.waitForAcks([...first, ...second]);

    const total = FIRST_BURST + SECOND_BURST;
    while (answers.length < total) answers.push(await sim.waitForOutgoing((m) => m.recipient === carol));
    await turn;
    assert.equal(replies, total, 'the client answered every question');
    assert.deepEqual(
      answers.map((m) => m.message.extendedTextMessage?.text),
      Array.from({ length: total }, (_, i) => `answer to question ${i}`),
      'every answer decrypted, in the order sent',
    );
    assert.deepEqual(
      answers.map((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId),
      [...first, ...second],
      'each quotes its question',
    );
    const arrivals = answers.map((m) => m.arrival.seq);
    assert.deepEqual(
      arrivals,
      [...arrivals].sort((a, b) => a - b),
      'decrypted in the order the stanzas arrived',
    );
    client.end();
  } finally {
    await sim.stop();
  }
});
