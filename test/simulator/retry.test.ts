import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DisconnectReason, WAMessageStubType, type AuthenticationState } from '@whiskeysockets/baileys';
import { WaSimulator, type Contact, type RecordedReceipt, type RecordedRetry, type SendOptions } from '../../simulator/index.js';
import { waitForEvent } from '../../simulator/waits.js';
import { pairedClient, silent, TestClient, type Upsert } from './helpers.js';

let sim: WaSimulator;
let client: TestClient;
let auth: AuthenticationState;
let alice: Contact;
let bob: Contact;

before(async () => {
  sim = await WaSimulator.start({ logger: silent });
  ({ auth, client } = await pairedClient(sim));
  alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
  bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });
});

after(async () => {
  client.end();
  await sim.stop();
});

const decrypted = (id: string) => (u: Upsert) => u.msg.key?.id === id && !!u.msg.message;
const stub = (id: string) => (u: Upsert) => u.msg.key?.id === id && u.msg.messageStubType === WAMessageStubType.CIPHERTEXT;
const retriesOf = (id: string): RecordedRetry[] => sim.recorded.retries.filter((r) => r.id === id);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Sends `text` undecryptable once; resolves with its id and the milliseconds until the resend was upserted. */
async function sendFailingOnce(from: Contact, text: string, opts: SendOptions = {}) {
  const started = performance.now();
  const { id } = await sim.sendText(from, text, { ...opts, undecryptable: 'once' });
  const [arrived] = await client.messages(1, decrypted(id));
  return { id, ms: performance.now() - started, msg: arrived!.msg };
}

/** A normal message after the others: once it is upserted, everything Baileys processed before it has been too. */
async function roundTrip(from: Contact, text: string, opts: SendOptions = {}) {
  const { id } = await sim.sendText(from, text, opts);
  const [arrived] = await client.messages(1, decrypted(id));
  return arrived!.msg;
}

test('1:1 by LID: a message that fails to decrypt arrives once after the retry, from a new session', async (t) => {
  const times: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { id, ms, msg } = await sendFailingOnce(alice, `retried ${i}`);
    times.push(ms);
    ids.push(id);
    assert.equal(msg.message?.conversation, `retried ${i}`);
    assert.equal(msg.key?.remoteJid, alice.lidJid);
    assert.equal(msg.pushName, 'Alice');
    assert.equal((msg as { retryCount?: number }).retryCount, 1, 'Baileys read the count on the resent <enc>');
    assert.equal(client.upserts.filter(stub(id)).length, 1, 'the failed copy was upserted as a CIPHERTEXT stub');
    // Baileys' first retry receipt carries no keys: the phone took a bundle from the server
    assert.deepEqual(retriesOf(id), [{ id, deviceJid: sim.devices[0]!.jid, count: 1, keys: 'server' }]);
  }
  const next = await roundTrip(alice, 'after the retries');
  assert.equal(next.message?.conversation, 'after the retries');
  for (const id of ids) assert.equal(client.upserts.filter(decrypted(id)).length, 1, `${id} arrived exactly once`);
  t.diagnostic(`send -> arrival after one retry: ${times.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(times).toFixed(0)} ms)`);
});

test('1:1 by phone number, with a session that already exists: the retry replaces it, later messages still decrypt', async () => {
  await roundTrip(bob, 'before', { addressing: 'pn' });
  const { id, msg } = await sendFailingOnce(bob, 'retried by number', { addressing: 'pn' });
  assert.equal(msg.key?.remoteJid, bob.jid);
  assert.equal(msg.message?.conversation, 'retried by number');
  assert.equal(retriesOf(id).length, 1);
  assert.equal((await roundTrip(bob, 'after', { addressing: 'pn' })).message?.conversation, 'after');
  assert.equal((await roundTrip(bob, 'after, by LID')).message?.conversation, 'after, by LID');
  assert.equal(client.upserts.filter(decrypted(id)).length, 1);
});

test('group: the resend goes to the device pairwise with the sender key, later group messages decrypt', async () => {
  const carol = sim.contact({ phone: '4917600000003', pushName: 'Carol' });
  const team = sim.group({ subject: 'Team', participants: [carol, alice] });
  const { id, msg } = await sendFailingOnce(carol, 'retried in a group', { group: team });
  assert.equal(msg.key?.remoteJid, team.jid);
  assert.equal(msg.key?.participant, carol.lidJid);
  assert.equal(msg.message?.conversation, 'retried in a group');
  assert.ok(msg.message?.senderKeyDistributionMessage, 'the sender key came with the resend');
  assert.equal(retriesOf(id).length, 1);
  const next = await roundTrip(carol, 'next in the group', { group: team });
  assert.equal(next.message?.conversation, 'next in the group');
  assert.equal(next.message?.senderKeyDistributionMessage, null, 'the sender key is not sent twice');
  assert.equal((await roundTrip(alice, 'another member', { group: team, addressing: 'pn' })).message?.conversation, 'another member');
  assert.equal(client.upserts.filter(decrypted(id)).length, 1);
});

test('a message sent right behind the failing one overtakes its resend', async () => {
  const { id: failing } = await sim.sendText(alice, 'fails first', { undecryptable: 'once' });
  const { id: behind } = await sim.sendText(alice, 'sent behind it');
  await client.messages(1, decrypted(failing));
  const order = client.upserts.filter((u) => decrypted(failing)(u) || decrypted(behind)(u)).map((u) => u.msg.key?.id);
  assert.deepEqual(order, [behind, failing]);
});

test('a resend the client did not get before a disconnect stays queued and arrives at the next login', async () => {
  // the connection drops the moment the retry receipt arrives: the phone answers into the offline queue
  const dropOnRetry = (r: RecordedReceipt) => r.type === 'retry' && sim.closeSocket();
  sim.events.on('receipt', dropOnRetry);
  const { id } = await sim.sendText(alice, 'resent while away', { undecryptable: 'once' });
  assert.equal(await client.closed(), DisconnectReason.connectionClosed);
  sim.events.off('receipt', dropOnRetry);
  await waitForEvent(sim.events, ['retry'], () => retriesOf(id)[0], 5_000, 'the answer');
  client = TestClient.connect(sim, auth);
  const [arrived] = await client.messages(1, decrypted(id));
  assert.equal(arrived!.type, 'append');
  assert.equal(arrived!.msg.message?.conversation, 'resent while away');
  await roundTrip(alice, 'back online');
  assert.equal(client.upserts.filter(decrypted(id)).length, 1);
});

test('undecryptable every time: the phone answers four retries, refuses the fifth, the message never arrives', async () => {
  const { id } = await sim.sendText(alice, 'never readable', { undecryptable: true });
  await waitForEvent(sim.events, ['retry'], () => (retriesOf(id).some((r) => r.refused) ? true : undefined), 9_000, 'the refused retry');
  const deviceJid = sim.devices[0]!.jid;
  assert.deepEqual(retriesOf(id), [
    { id, deviceJid, count: 1, keys: 'server' },
    { id, deviceJid, count: 2, keys: 'receipt' },
    { id, deviceJid, count: 3, keys: 'receipt' },
    { id, deviceJid, count: 4, keys: 'receipt' },
    { id, deviceJid, count: 5, refused: 'too-many-retries' },
  ]);
  const next = await roundTrip(alice, 'still fine');
  assert.equal(next.message?.conversation, 'still fine');
  assert.equal(client.upserts.filter(decrypted(id)).length, 0);
  assert.equal(client.upserts.filter(stub(id)).length, 5, 'one stub per failed copy');
});

test('a retry receipt for a message no simulated phone sent is refused', async () => {
  const receipt = {
    tag: 'receipt',
    attrs: { id: '3EB0NOTSENT000000000', type: 'retry', to: alice.lidJid },
    content: [{ tag: 'retry', attrs: { count: '1' } }],
  };
  await client.sock.sendNode(receipt);
  const refused = await waitForEvent(sim.events, ['retry'], () => retriesOf(receipt.attrs.id)[0], 5_000, 'the refusal');
  assert.equal(refused.refused, 'unknown-message');
});
