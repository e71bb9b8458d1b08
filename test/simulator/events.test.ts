import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { decryptPollVote, proto, WAMessageStubType } from '@whiskeysockets/baileys';
import { WaSimulator, type Contact, type Group } from '../../simulator/index.js';
import { editAttributeOf } from '../../simulator/stanzas.js';
import { pairedClient, silent, type TestClient } from './helpers.js';

let sim: WaSimulator;
let client: TestClient;
let alice: Contact;
let bob: Contact;
let family: Group;
let accountLid: string;
let accountPn: string;

before(async () => {
  sim = await WaSimulator.start({ logger: silent });
  ({ client } = await pairedClient(sim));
  alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
  bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });
  family = sim.group({ subject: 'Family', participants: [alice, bob] });
  accountLid = `${sim.account.lid}@lid`;
  accountPn = `${sim.account.phone}@s.whatsapp.net`;
});

after(async () => {
  client.end();
  await sim.stop();
});

const { Type } = proto.Message.ProtocolMessage;
const { Status } = proto.WebMessageInfo;
const sha256 = (text: string) => createHash('sha256').update(text).digest();
/** A key's four fields; Baileys sets participant '' in 1:1 keys, shown here as undefined. */
const plain = (key: proto.IMessageKey | null | undefined) => ({
  remoteJid: key?.remoteJid,
  fromMe: key?.fromMe,
  id: key?.id,
  participant: key?.participant || undefined,
});

/** The text of a message the client sent, as its recipient decrypted it. */
async function clientSends(jid: string, text: string): Promise<string> {
  const sent = await client.sock.sendMessage(jid, { text });
  const out = await sim.waitForOutgoing((m) => m.id === sent?.key.id);
  return out.id;
}

test('edit: the protocolMessage key is the sender’s view (fromMe, the account’s JID); Baileys emits the edit as messages.update', async () => {
  const original = await sim.sendText(alice, 'helo');
  await client.message(original.id);
  const edit = await sim.editMessage(alice, original.id, 'hello');
  const { msg } = await client.message(edit.id);
  assert.deepEqual(plain(msg.key), { remoteJid: alice.lidJid, fromMe: false, id: edit.id, participant: undefined });
  const protocol = msg.message?.protocolMessage;
  assert.equal(protocol?.type, Type.MESSAGE_EDIT);
  assert.deepEqual(plain(protocol?.key), { remoteJid: accountLid, fromMe: true, id: original.id, participant: undefined });
  assert.equal(protocol?.editedMessage?.conversation, 'hello');
  assert.ok(Number(protocol?.timestampMs) > 0);
  assert.equal(msg.message?.messageContextInfo?.messageSecret?.length, 32, 'like Baileys, a messageSecret rides along');

  const update = await client.messageUpdate((u) => u.key.id === original.id && !!u.update.message);
  assert.deepEqual(plain(update.key), { remoteJid: alice.lidJid, fromMe: false, id: original.id, participant: undefined });
  assert.equal(update.update.message?.editedMessage?.message?.conversation, 'hello');
});

test('edit: by phone number and wrapped in editedMessage (as the apps send it), in a group', async () => {
  const byNumber = await sim.editMessage(alice, '3EB0EDITPN0000000000', 'by number', { addressing: 'pn' });
  const pn = (await client.message(byNumber.id)).msg;
  assert.equal(pn.key?.remoteJid, alice.jid);
  assert.equal(pn.message?.protocolMessage?.key?.remoteJid, accountPn);

  const original = await sim.sendText(bob, 'typo', { group: family });
  await client.message(original.id);
  const edit = await sim.editMessage(bob, original.id, 'fixed', { group: family, wrapped: true });
  const { msg } = await client.message(edit.id);
  const protocol = msg.message?.editedMessage?.message?.protocolMessage;
  assert.deepEqual(plain(protocol?.key), { remoteJid: family.jid, fromMe: true, id: original.id, participant: undefined });
  assert.equal(protocol?.editedMessage?.conversation, 'fixed');
  const update = await client.messageUpdate((u) => u.key.id === original.id && !!u.update.message);
  assert.equal(update.key.participant, bob.lidJid);
  assert.equal(update.update.message?.editedMessage?.message?.conversation, 'fixed');
});

test('delete for everyone: REVOKE of the sender’s own message becomes a REVOKE stub update', async () => {
  const original = await sim.sendText(alice, 'oops');
  await client.message(original.id);
  const revoke = await sim.deleteMessage(alice, original.id);
  const { msg } = await client.message(revoke.id);
  assert.equal(msg.message?.protocolMessage?.type, Type.REVOKE);
  assert.deepEqual(plain(msg.message?.protocolMessage?.key), { remoteJid: accountLid, fromMe: true, id: original.id, participant: undefined });
  const update = await client.messageUpdate((u) => u.key.id === original.id && u.update.messageStubType === WAMessageStubType.REVOKE);
  assert.equal(update.key.remoteJid, alice.lidJid);
  assert.equal(update.update.message, null);
});

test('delete by a group admin: the raw key names the author, the emitted update names the admin', async () => {
  const original = await sim.sendText(bob, 'spam', { group: family });
  await client.message(original.id);
  const revoke = await sim.deleteMessage(alice, original.id, { group: family, author: bob });
  const { msg } = await client.message(revoke.id);
  assert.equal(msg.key?.participant, alice.lidJid);
  assert.deepEqual(plain(msg.message?.protocolMessage?.key), { remoteJid: family.jid, fromMe: false, id: original.id, participant: bob.lidJid });
  const update = await client.messageUpdate((u) => u.key.id === original.id && u.update.messageStubType === WAMessageStubType.REVOKE);
  assert.equal(update.key.participant, alice.lidJid, 'Baileys puts the admin, not the author, in the key');

  const mine = await clientSends(family.jid, 'from the bridge');
  const adminRevoke = await sim.deleteMessage(alice, mine, { group: family, author: 'account' });
  const raw = (await client.message(adminRevoke.id)).msg.message?.protocolMessage?.key;
  assert.deepEqual(plain(raw), { remoteJid: family.jid, fromMe: false, id: mine, participant: accountLid });
  const gone = await client.messageUpdate((u) => u.key.id === mine && u.update.messageStubType === WAMessageStubType.REVOKE);
  assert.deepEqual(plain(gone.key), { remoteJid: family.jid, fromMe: false, id: mine, participant: alice.lidJid }, 'not the key the client sent it with');
  await assert.rejects(sim.deleteMessage(alice, mine, { author: bob }), /group admin/);
});

test('react: Baileys rewrites the reaction key to its own view; an empty text removes the reaction', async () => {
  const mine = await clientSends(alice.lidJid, 'react to this');
  const like = await sim.react(alice, mine, '👍');
  const { msg } = await client.message(like.id);
  assert.equal(msg.message?.reactionMessage?.text, '👍');
  assert.deepEqual(plain(msg.message?.reactionMessage?.key), { remoteJid: alice.lidJid, fromMe: true, id: mine, participant: undefined });
  assert.ok(Number(msg.message?.reactionMessage?.senderTimestampMs) > 0);
  const removed = await sim.react(alice, mine, '');
  assert.equal((await client.message(removed.id)).msg.message?.reactionMessage?.text, '');

  const theirs = await sim.sendText(alice, 'group news', { group: family });
  await client.message(theirs.id);
  const heart = await sim.react(bob, theirs.id, '❤️', { group: family, targetAuthor: alice });
  const key = (await client.message(heart.id)).msg.message?.reactionMessage?.key;
  assert.deepEqual(plain(key), { remoteJid: family.jid, fromMe: false, id: theirs.id, participant: alice.lidJid });
});

test('sendPoll: single choice is pollCreationMessageV3, multiple choice pollCreationMessage, each with its 32-byte secret', async () => {
  const single = await sim.sendPoll(alice, { question: 'Lunch?', options: ['Pizza', 'Sushi'] });
  const multi = await sim.sendPoll(bob, { question: 'Which days?', options: ['Mon', 'Tue', 'Wed'], multiple: true }, { group: family });
  const [a, b] = await Promise.all([client.message(single.id), client.message(multi.id)]);
  assert.equal(single.secret.length, 32);
  assert.deepEqual(Buffer.from(a!.msg.message?.messageContextInfo?.messageSecret ?? []), single.secret);
  assert.equal(a!.msg.message?.pollCreationMessageV3?.name, 'Lunch?');
  assert.equal(a!.msg.message?.pollCreationMessageV3?.selectableOptionsCount, 1);
  assert.deepEqual(
    a!.msg.message?.pollCreationMessageV3?.options?.map((o) => o.optionName),
    ['Pizza', 'Sushi'],
  );
  assert.equal(b!.msg.message?.pollCreationMessage?.selectableOptionsCount, 0);
  assert.equal(b!.msg.message?.pollCreationMessage?.options?.length, 3);
  assert.deepEqual(Buffer.from(b!.msg.message?.messageContextInfo?.messageSecret ?? []), multi.secret);
});

test('vote on the bridge’s poll: decryptPollVote decrypts it only under the right creator/voter JID pair', async () => {
  const options = ['Pizza', 'Sushi'];
  const sent = await client.sock.sendMessage(alice.lidJid, { poll: { name: 'Lunch?', values: options, selectableCount: 1 } });
  const out = await sim.waitForOutgoing((m) => m.id === sent?.key.id);
  const secret = out.message.messageContextInfo!.messageSecret!;
  const poll = { id: out.id, creator: 'account' as const, secret, options };

  const vote = await sim.vote(alice, poll, ['Sushi']);
  const { msg } = await client.message(vote.id);
  const update = msg.message?.pollUpdateMessage;
  assert.deepEqual(plain(update?.pollCreationMessageKey), { remoteJid: alice.lidJid, fromMe: true, id: out.id, participant: undefined });
  assert.ok(Number(update?.senderTimestampMs) > 0);
  const decrypt = (pollCreatorJid: string, voterJid: string) =>
    decryptPollVote(update!.vote!, { pollEncKey: secret, pollMsgId: out.id, pollCreatorJid, voterJid }).selectedOptions.map((o) => Buffer.from(o));
  assert.deepEqual(decrypt(accountLid, alice.lidJid), [sha256('Sushi')]);
  for (const [creator, voter] of [
    [accountPn, alice.lidJid],
    [accountLid, alice.jid],
    [accountPn, alice.jid],
  ] as const) {
    assert.throws(() => decrypt(creator, voter), /authenticate/, `${creator} / ${voter}`);
  }

  const byNumber = await sim.vote(alice, poll, ['Pizza'], { voterAddressing: 'pn', creatorAddressing: 'pn' });
  const pnVote = (await client.message(byNumber.id)).msg.message!.pollUpdateMessage!.vote!;
  const pnDecrypt = (pollCreatorJid: string, voterJid: string) => decryptPollVote(pnVote, { pollEncKey: secret, pollMsgId: out.id, pollCreatorJid, voterJid });
  assert.deepEqual(
    pnDecrypt(accountPn, alice.jid).selectedOptions.map((o) => Buffer.from(o)),
    [sha256('Pizza')],
  );
  assert.throws(() => pnDecrypt(accountLid, alice.lidJid), /authenticate/);
  await assert.rejects(sim.vote(alice, poll, ['Curry']), /not an option/);
});

test('vote in a group on a contact’s poll: several options, then withdrawn', async () => {
  const options = ['Mon', 'Tue', 'Wed'];
  const created = await sim.sendPoll(alice, { question: 'Which days?', options, multiple: true }, { group: family });
  await client.message(created.id);
  const poll = { id: created.id, creator: alice, secret: created.secret, options };
  const ctx = { pollEncKey: created.secret, pollMsgId: created.id, pollCreatorJid: alice.lidJid, voterJid: bob.lidJid };

  const vote = await sim.vote(bob, poll, ['Mon', 'Wed'], { group: family });
  const { msg } = await client.message(vote.id);
  const update = msg.message?.pollUpdateMessage;
  assert.equal(msg.key?.participant, bob.lidJid);
  assert.deepEqual(plain(update?.pollCreationMessageKey), { remoteJid: family.jid, fromMe: false, id: created.id, participant: alice.lidJid });
  assert.deepEqual(
    decryptPollVote(update!.vote!, ctx).selectedOptions.map((o) => Buffer.from(o)),
    [sha256('Mon'), sha256('Wed')],
  );

  const withdrawn = await sim.vote(bob, poll, [], { group: family });
  const empty = (await client.message(withdrawn.id)).msg.message?.pollUpdateMessage?.vote;
  assert.deepEqual(decryptPollVote(empty!, ctx).selectedOptions, []);
});

test('1:1 receipts of sent messages: delivery (automatic), read and played become messages.update statuses', async () => {
  const id = await clientSends(alice.lidJid, 'did you get this?');
  const forId = (status: number) => (u: { key: proto.IMessageKey; update: { status?: number | null } }) => u.key.id === id && u.update.status === status;
  const delivered = await client.messageUpdate(forId(Status.DELIVERY_ACK), 'DELIVERY_ACK');
  assert.deepEqual(plain(delivered.key), { remoteJid: alice.lidJid, fromMe: true, id, participant: undefined });
  sim.sendReceipt(alice, [id], 'read');
  await client.messageUpdate(forId(Status.READ), 'READ');
  sim.sendReceipt(alice, [id], 'played');
  await client.messageUpdate(forId(Status.PLAYED), 'PLAYED');

  // addressed by phone number, two messages in one receipt (id plus <list><item>)
  const first = await clientSends(bob.jid, 'one');
  const second = await clientSends(bob.jid, 'two');
  // a receipt within 100 ms of the send would be folded into Baileys' own upsert of the message: wait for delivery first
  await client.messageUpdate((u) => u.key.id === second && u.update.status === Status.DELIVERY_ACK, 'DELIVERY_ACK of the second');
  sim.sendReceipt(bob, [first, second], 'read');
  for (const msgId of [first, second]) {
    const read = await client.messageUpdate((u) => u.key.id === msgId && u.update.status === Status.READ, `READ of ${msgId}`);
    assert.equal(read.key.remoteJid, bob.jid);
  }
  assert.throws(() => sim.sendReceipt(alice, [first], 'read'), /no message/);
});

test('group receipts of sent messages: message-receipt.update per member, delivery then read', async () => {
  const id = await clientSends(family.jid, 'hello all');
  for (const member of [alice, bob]) {
    const delivered = await client.receiptUpdate((u) => u.key.id === id && u.receipt.userJid === member.lidJid && !!u.receipt.receiptTimestamp);
    assert.deepEqual(plain(delivered.key), { remoteJid: family.jid, fromMe: true, id, participant: member.lidJid });
  }
  sim.sendReceipt(alice, [id], 'read', { group: family });
  const read = await client.receiptUpdate((u) => u.key.id === id && u.receipt.userJid === alice.lidJid && !!u.receipt.readTimestamp);
  assert.ok(Number(read.receipt.readTimestamp) > 0);
  // played is reported as a readTimestamp too: Baileys only tells delivery from the rest
  sim.sendReceipt(bob, [id], 'played', { group: family });
  await client.receiptUpdate((u) => u.key.id === id && u.receipt.userJid === bob.lidJid && !!u.receipt.readTimestamp);
});

test('stanza edit attribute follows WhatsApp (whatsmeow getEditAttribute)', () => {
  const key = { remoteJid: 'x@lid', id: 'ID' };
  assert.equal(editAttributeOf({ protocolMessage: { key: { ...key, fromMe: true }, type: Type.MESSAGE_EDIT, editedMessage: { conversation: 'x' } } }), '1');
  assert.equal(editAttributeOf({ protocolMessage: { key: { ...key, fromMe: true }, type: Type.REVOKE } }), '7');
  assert.equal(editAttributeOf({ protocolMessage: { key: { ...key, fromMe: false }, type: Type.REVOKE } }), '8');
  assert.equal(editAttributeOf({ reactionMessage: { key, text: '' } }), '7');
  assert.equal(editAttributeOf({ reactionMessage: { key, text: '👍' } }), undefined);
  assert.equal(editAttributeOf({ conversation: 'hi' }), undefined);
});
