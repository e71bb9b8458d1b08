import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { proto, WAMessageStubType, type AuthenticationState } from '@whiskeysockets/baileys';
import { WaSimulator, type Contact } from '../../simulator/index.js';
import { messageTypeOf, mediaTypeOf } from '../../simulator/stanzas.js';
import { pairedClient, silent, TestClient } from './helpers.js';

let sim: WaSimulator;
let client: TestClient;
let auth: AuthenticationState;
let alice: Contact;
let bob: Contact;

before(async () => {
  sim = await WaSimulator.start({ logger: silent });
  ({ auth, client } = await pairedClient(sim));
  alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
  bob = sim.contact({ phone: '4917600000002', pushName: 'Bob', lid: '123456789012345' });
});

after(async () => {
  client.end();
  await sim.stop();
});

const json = (m: proto.IMessage | null | undefined) => proto.Message.fromObject(m ?? {}).toJSON();

test('1:1 by LID: remoteJid is the LID, remoteJidAlt the phone JID, push name and explicit id/timestamp kept', async () => {
  const { id, timestamp } = await sim.sendText(alice, 'hello', { id: '3EB0AAAAAAAAAAAAAAAAAA', timestamp: 1_700_000_000 });
  assert.equal(id, '3EB0AAAAAAAAAAAAAAAAAA');
  const { msg, type } = await client.message(id);
  assert.equal(type, 'notify');
  assert.equal(msg.key?.remoteJid, alice.lidJid);
  assert.equal(msg.key?.remoteJidAlt, alice.jid);
  assert.equal(msg.key?.addressingMode, 'lid');
  assert.equal(msg.key?.fromMe, false);
  assert.equal(Number(msg.messageTimestamp), timestamp);
  assert.equal(msg.pushName, 'Alice');
  assert.equal(msg.message?.conversation, 'hello');
  await sim.waitForAcks([id]);
});

test('1:1 by phone number: remoteJid is the phone JID, remoteJidAlt the LID', async () => {
  const { id } = await sim.sendText(bob, 'by number', { addressing: 'pn', pushName: 'Bobby' });
  const { msg } = await client.message(id);
  assert.equal(msg.key?.remoteJid, bob.jid);
  assert.equal(msg.key?.remoteJidAlt, bob.lidJid);
  assert.equal(msg.key?.addressingMode, 'pn');
  assert.equal(msg.pushName, 'Bobby');
  assert.equal(msg.message?.conversation, 'by number');
});

test('group: sender key distributed pairwise, participant is the LID, participantAlt the phone JID', async () => {
  const family = sim.group({ subject: 'Family', participants: [alice, bob] });
  const first = await sim.sendText(alice, 'hi family', { group: family });
  const second = await sim.sendText(bob, 'by number', { group: family, addressing: 'pn' });
  const third = await sim.sendText(alice, 'again', { group: family });
  const [a, b, c] = await Promise.all([first, second, third].map((s) => client.message(s.id)));
  assert.equal(a!.msg.key?.remoteJid, family.jid);
  assert.equal(a!.msg.key?.participant, alice.lidJid);
  assert.equal(a!.msg.key?.participantAlt, alice.jid);
  assert.equal(a!.msg.message?.conversation, 'hi family');
  assert.equal(b!.msg.key?.participant, bob.jid);
  assert.equal(b!.msg.key?.participantAlt, bob.lidJid);
  assert.equal(b!.msg.message?.conversation, 'by number');
  assert.equal(c!.msg.message?.conversation, 'again');
  assert.equal(c!.msg.message?.senderKeyDistributionMessage, null, 'the sender key is sent once per device');
});

const media = {
  url: 'https://mmg.whatsapp.net/v/t62.7118-24/fake.enc',
  directPath: '/v/t62.7118-24/fake.enc',
  mediaKey: Buffer.alloc(32, 1),
  fileSha256: Buffer.alloc(32, 2),
  fileEncSha256: Buffer.alloc(32, 3),
  fileLength: 12345,
  mediaKeyTimestamp: 1_700_000_000,
};
const targetKey = { remoteJid: '491700000000@s.whatsapp.net', fromMe: false, id: '3EB0TARGET000000000000' };

const kinds: Record<string, proto.IMessage> = {
  conversation: { conversation: 'plain text' },
  quotedReply: {
    extendedTextMessage: {
      text: 'a reply',
      contextInfo: { stanzaId: '3EB0QUOTED', participant: '491700000000@s.whatsapp.net', quotedMessage: { conversation: 'the original' } },
    },
  },
  image: { imageMessage: { ...media, mimetype: 'image/jpeg', caption: 'a photo', width: 640, height: 480 } },
  video: { videoMessage: { ...media, mimetype: 'video/mp4', caption: 'a clip', seconds: 7 } },
  document: { documentMessage: { ...media, mimetype: 'application/pdf', fileName: 'report.pdf', caption: 'the report' } },
  audio: { audioMessage: { ...media, mimetype: 'audio/ogg; codecs=opus', seconds: 3, ptt: true } },
  sticker: { stickerMessage: { ...media, mimetype: 'image/webp', isAnimated: false } },
  location: { locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin', address: 'Mitte' } },
  contact: { contactMessage: { displayName: 'Carol', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carol\nTEL;type=CELL:+49 176 0000003\nEND:VCARD' } },
  poll: { pollCreationMessage: { name: 'Lunch?', options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }], selectableOptionsCount: 1 } },
  edit: {
    protocolMessage: { key: targetKey, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: 'edited text' } },
  },
  revoke: { protocolMessage: { key: targetKey, type: proto.Message.ProtocolMessage.Type.REVOKE } },
  ephemeral: { ephemeralMessage: { message: { extendedTextMessage: { text: 'disappearing', contextInfo: { expiration: 604800 } } } } },
  viewOnce: { viewOnceMessage: { message: { imageMessage: { ...media, mimetype: 'image/jpeg', caption: 'once', viewOnce: true } } } },
  viewOnceV2: { viewOnceMessageV2: { message: { videoMessage: { ...media, mimetype: 'video/mp4', caption: 'once v2', viewOnce: true } } } },
  buttonsResponse: {
    buttonsResponseMessage: { selectedButtonId: 'yes', selectedDisplayText: 'Yes', type: proto.Message.ButtonsResponseMessage.Type.DISPLAY_TEXT },
  },
  listResponse: {
    listResponseMessage: {
      title: 'Pizza',
      listType: proto.Message.ListResponseMessage.ListType.SINGLE_SELECT,
      singleSelectReply: { selectedRowId: 'row-1' },
      description: 'with cheese',
    },
  },
};

test('every message kind is decoded by Baileys to the content that was sent', async () => {
  const sent = await Promise.all(Object.values(kinds).map((message) => sim.sendMessage(alice, message)));
  const names = Object.keys(kinds);
  for (const [i, { id }] of sent.entries()) {
    const { msg } = await client.message(id);
    assert.deepEqual(json(msg.message), json(kinds[names[i]!]), names[i]);
  }
});

test('a reaction arrives with its text and target id (Baileys rewrites the key to its own view)', async () => {
  const reacted = await sim.sendText(alice, 'react to me');
  await client.message(reacted.id);
  const reactionKey = { remoteJid: sim.account.phone + '@s.whatsapp.net', fromMe: true, id: reacted.id };
  const { id } = await sim.sendMessage(alice, { reactionMessage: { key: reactionKey, text: '👍', senderTimestampMs: 1_700_000_000_000 } });
  const { msg } = await client.message(id);
  assert.equal(msg.message?.reactionMessage?.text, '👍');
  assert.equal(msg.message?.reactionMessage?.key?.id, reacted.id);
  assert.equal(msg.message?.reactionMessage?.key?.remoteJid, alice.lidJid);
});

test('offline: flagged messages and messages sent while disconnected arrive as append', async () => {
  const flagged = await sim.sendText(alice, 'from the queue', { offline: true });
  assert.equal((await client.message(flagged.id)).type, 'append');

  client.end();
  await client.closed();
  const queued = await sim.sendMany(3, (i) => ({ from: bob, text: `while away ${i}` }));
  client = TestClient.connect(sim, auth);
  const arrived = await client.messages(3, (u) => queued.includes(u.msg.key?.id ?? ''));
  assert.deepEqual(
    arrived.map((u) => u.msg.message?.conversation),
    ['while away 0', 'while away 1', 'while away 2'],
  );
  assert.ok(arrived.every((u) => u.type === 'append'));
  await sim.waitForAcks(queued);
});

test('undecryptable: Baileys emits a CIPHERTEXT stub, sends a retry receipt and a NACK', { timeout: 5_000 }, async () => {
  const { id } = await sim.sendText(alice, 'garbled', { undecryptable: true });
  const { msg } = await client.message(id);
  assert.equal(msg.messageStubType, WAMessageStubType.CIPHERTEXT);
  assert.equal(msg.message, undefined);
  await sim.waitForAcks([id]);
  assert.ok(
    sim.recorded.receipts.some((r) => r.type === 'retry' && r.ids.includes(id)),
    'retry receipt',
  );
  // the NACK follows the retry receipt after Baileys' retryRequestDelayMs
  while (!sim.recorded.acks.some((a) => a.id === id && a.class === 'message' && a.error === '500')) await once(sim.events, 'ack');
});

test('stanza type and enc mediatype follow Baileys own rules (media vs text vs reaction vs poll)', () => {
  assert.equal(messageTypeOf(kinds.conversation!), 'text');
  assert.equal(messageTypeOf(kinds.location!), 'text');
  assert.equal(messageTypeOf(kinds.image!), 'media');
  assert.equal(mediaTypeOf(kinds.image!), 'image');
  assert.equal(mediaTypeOf(kinds.audio!), 'ptt');
  assert.equal(mediaTypeOf(kinds.contact!), 'vcard');
  assert.equal(mediaTypeOf(kinds.viewOnceV2!), 'video', 'wrappers are unwrapped');
  assert.equal(mediaTypeOf(kinds.listResponse!), 'list_response');
  assert.equal(messageTypeOf(kinds.poll!), 'poll');
  assert.equal(messageTypeOf({ reactionMessage: { text: 'x' } }), 'reaction');
  assert.equal(mediaTypeOf(kinds.conversation!), undefined);
});
