import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { pairedClient } from './helpers.js';

test('the client replies to a phone JID quoting a received message; the contact decrypts it', async () => {
  const sim = await WaSimulator.start();
  try {
    const { client } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const { id } = await sim.sendText(alice, 'ping?');
    const { msg: received } = await client.message(id);

    const sent = await client.sock.sendMessage(alice.jid, { text: 'pong!' }, { quoted: received });
    const out = await sim.waitForOutgoing((m) => m.to === alice.jid);
    assert.equal(out.id, sent?.key.id);
    assert.equal(out.recipient, alice);
    assert.equal(out.message.extendedTextMessage?.text, 'pong!');
    const quote = out.message.extendedTextMessage?.contextInfo;
    assert.equal(quote?.stanzaId, id);
    assert.equal(quote?.participant, alice.lidJid);
    assert.equal(quote?.quotedMessage?.conversation, 'ping?');
    client.end();
  } finally {
    await sim.stop();
  }
});

test('the client writes first to a LID JID: bundle fetched, pkmsg decrypted, then replies keep working both ways', async () => {
  const sim = await WaSimulator.start();
  try {
    const { client } = await pairedClient(sim);
    const bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });

    await client.sock.sendMessage(bob.lidJid, { text: 'hi Bob' });
    const first = await sim.waitForOutgoing((m) => m.to === bob.lidJid);
    assert.equal(first.message.conversation ?? first.message.extendedTextMessage?.text, 'hi Bob');
    assert.ok(
      sim.recorded.iqs.some((iq) => iq.xmlns === 'encrypt' && iq.child === 'key'),
      'prekey bundle fetched',
    );

    const answer = await sim.sendText(bob, 'hi back');
    assert.equal((await client.message(answer.id)).msg.message?.conversation, 'hi back');
    await client.sock.sendMessage(bob.jid, { text: 'and by number' });
    const second = await sim.waitForOutgoing((m) => m.to === bob.jid);
    assert.equal(second.message.conversation ?? second.message.extendedTextMessage?.text, 'and by number');
    client.end();
  } finally {
    await sim.stop();
  }
});

test('the client writes to a group: metadata, sender key and skmsg decrypted by a member', async () => {
  const sim = await WaSimulator.start();
  try {
    const { client } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001' });
    const bob = sim.contact({ phone: '4917600000002' });
    const family = sim.group({ subject: 'Family', participants: [alice, bob] });
    const metadata = await client.sock.groupMetadata(family.jid);
    assert.equal(metadata.subject, 'Family');
    assert.equal(metadata.participants.length, 3);

    await client.sock.sendMessage(family.jid, { text: 'hello group' });
    const out = await sim.waitForOutgoing((m) => m.to === family.jid);
    assert.equal(out.message.conversation ?? out.message.extendedTextMessage?.text, 'hello group');
    await client.sock.sendMessage(family.jid, { text: 'second' });
    const next = await sim.waitForOutgoing((m) => m.to === family.jid);
    assert.equal(next.message.conversation ?? next.message.extendedTextMessage?.text, 'second');
    client.end();
  } finally {
    await sim.stop();
  }
});
