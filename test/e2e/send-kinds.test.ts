import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { proto } from '@whiskeysockets/baileys';
import { phoneChat, type Contact } from '../../simulator/index.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-send-kinds-tests';

/**
 * Every kind WhatsApp can send, through the real daemon, Baileys and the simulator: what the
 * contact's phone decrypts, field by field, and each refusal a one-line 4xx with nothing sent.
 */
describe('locations, contacts, reactions, edits, deletions and read marks', () => {
  let s: BridgeWithReceiver;
  let alice: Contact;

  before(async () => {
    s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0 } });
    alice = s.sim.contact({ phone: '4917600000091', pushName: 'Alice' });
  });
  after(() => s.close());

  async function send(body: Record<string, unknown>): Promise<{ status: number; json: { id?: string; error?: string } }> {
    const res = await fetch(new URL('api/send', s.bridge.apiUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  /** Sends, and returns what the recipient decrypted. */
  async function sent(body: Record<string, unknown>) {
    const answer = await send(body);
    assert.equal(answer.status, 200, answer.json.error);
    return s.sim.waitForOutgoing((m) => m.id === answer.json.id);
  }

  async function expectRefusal(body: Record<string, unknown>, status: number, message: RegExp): Promise<void> {
    const before = s.sim.recorded.outgoing.length;
    const receipts = s.sim.recorded.receipts.filter((r) => r.type === 'read').length;
    const answer = await send(body);
    assert.equal(answer.status, status, JSON.stringify(answer.json));
    assert.deepEqual(Object.keys(answer.json), ['error']);
    assert.match(answer.json.error!, message);
    assert.doesNotMatch(answer.json.error!, /\n/, 'one line');
    assert.equal(s.sim.recorded.outgoing.length, before, 'nothing was sent');
    assert.equal(s.sim.recorded.receipts.filter((r) => r.type === 'read').length, receipts, 'nothing was marked read');
  }

  /** A message from `from`, once the bridge has forwarded it (so it knows it). */
  async function received(from: Contact, text: string, opts?: Parameters<typeof s.sim.sendText>[2]) {
    const message = await s.sim.sendText(from, text, opts);
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === message.id));
    return message;
  }

  /** Moves a sent message's time back, as if it had been sent `ms` ago (the state file beside the running bridge). */
  function age(id: string, ms: number): void {
    const db = new Database(join(s.bridge.dataDir, DATABASE_FILE));
    try {
      db.pragma('busy_timeout = 5000');
      assert.equal(db.prepare('UPDATE sent_messages SET sent_at = ? WHERE id = ?').run(Date.now() - ms, id).changes, 1);
    } finally {
      db.close();
    }
  }

  test('a location arrives as a locationMessage with the exact coordinates, name and address', async () => {
    const { message } = await sent({
      to: '+49 176 0000 0091',
      location: { latitude: 52.520008, longitude: 13.404954, name: 'Car park P3', address: 'Alexanderplatz 1, 10178 Berlin' },
    });
    const location = message.locationMessage!;
    assert.deepEqual(
      { lat: location.degreesLatitude, lon: location.degreesLongitude, name: location.name, address: location.address },
      { lat: 52.520008, lon: 13.404954, name: 'Car park P3', address: 'Alexanderplatz 1, 10178 Berlin' },
    );
    assert.equal(message.conversation ?? null, null, 'no text beside it');
  });

  test('a location without name and address, at the extremes of the ranges', async () => {
    const { message } = await sent({ to: alice.phone, location: { latitude: -90, longitude: 180 } });
    assert.equal(message.locationMessage?.degreesLatitude, -90);
    assert.equal(message.locationMessage?.degreesLongitude, 180);
    assert.ok(!message.locationMessage?.name, 'no name');
  });

  const locationRefusals: Array<[string, unknown, RegExp]> = [
    ['not an object', '52.52,13.40', /'location' must be \{"latitude": 52\.52, "longitude": 13\.405/],
    ['latitude above 90', { latitude: 90.5, longitude: 0 }, /'location\.latitude' must be a number from -90 to 90/],
    ['longitude below -180', { latitude: 0, longitude: -180.01 }, /'location\.longitude' must be a number from -180 to 180/],
    ['latitude as text', { latitude: '52.5', longitude: 13 }, /'location\.latitude' must be a number/],
    ['no longitude', { latitude: 52.5 }, /'location\.longitude' must be a number/],
    ['a name that is not text', { latitude: 1, longitude: 2, name: 5 }, /'location\.name' must be text/],
  ];
  for (const [what, location, message] of locationRefusals) {
    test(`location refused with 400: ${what}`, () => expectRefusal({ to: alice.phone, location }, 400, message));
  }

  test('a location is sent on its own', () =>
    expectRefusal({ to: alice.phone, location: { latitude: 1, longitude: 2 }, text: 'here' }, 400, /A location is sent on its own: drop 'text'/));

  test('a vCard arrives as a contactMessage holding it byte for byte, named by its FN', async () => {
    const vcard =
      'BEGIN:VCARD\nVERSION:3.0\nN:Plumber;Joe;;;\nFN:Joe the Plumber\nORG:Pipes & Co\\, Ltd;\nTEL;type=CELL;waid=4915112345678:+49 151 12345678\nEND:VCARD';
    const { message } = await sent({ to: alice.phone, contact: vcard });
    assert.equal(message.contactMessage?.vcard, vcard);
    assert.equal(message.contactMessage?.displayName, 'Joe the Plumber');
  });

  test('{name, phone} becomes a vCard 3.0 with waid=, so the card offers "Message"', async () => {
    s.sim.contact({ phone: '4915123456789', pushName: 'Service' });
    const { id, message } = await sent({ to: alice.phone, contact: { name: 'Garage, Door; Service', phone: '+49 151 2345 6789' } });
    assert.equal(
      message.contactMessage?.vcard,
      'BEGIN:VCARD\nVERSION:3.0\nN:;Garage\\, Door\\; Service;;;\nFN:Garage\\, Door\\; Service\nTEL;type=CELL;type=VOICE;waid=4915123456789:+49 151 2345 6789\nEND:VCARD',
    );
    assert.equal(message.contactMessage?.displayName, 'Garage, Door; Service');
    const card = phoneChat(s.sim.recorded.outgoing, alice).messages.find((m) => m.id === id);
    assert.deepEqual(card?.contact && { name: card.contact.name, canMessage: card.contact.canMessage }, { name: 'Garage, Door; Service', canMessage: true });
  });

  test('a number not on WhatsApp gets a card without waid (it could only offer "Invite")', async () => {
    const { id, message } = await sent({ to: alice.phone, contact: { name: 'Landline', phone: '0049 30 1234567' } });
    assert.equal(message.contactMessage?.vcard, 'BEGIN:VCARD\nVERSION:3.0\nN:;Landline;;;\nFN:Landline\nTEL;type=CELL;type=VOICE:+49 30 1234567\nEND:VCARD');
    assert.equal(phoneChat(s.sim.recorded.outgoing, alice).messages.find((m) => m.id === id)?.contact?.canMessage, false);
  });

  const contactRefusals: Array<[string, unknown, RegExp]> = [
    ['a text that is no vCard', 'Joe, +49 151 2345678', /'contact' must be a vCard \(text from BEGIN:VCARD to END:VCARD\)/],
    ['a vCard without FN', 'BEGIN:VCARD\nVERSION:3.0\nTEL:+49151\nEND:VCARD', /the vCard has no FN line/],
    ['no name', { phone: '+49 151 2345678' }, /'contact\.name' must be non-empty text/],
    ['a phone too short', { name: 'Joe', phone: '12345' }, /'contact\.phone' must be a phone number with country code \(7 to 15 digits\)/],
    ['a phone with letters', { name: 'Joe', phone: '+49 CALL ME' }, /'contact\.phone' must be a phone number/],
    ['a list', [{ name: 'Joe', phone: '+491512345678' }], /'contact' must be a vCard/],
  ];
  for (const [what, contact, message] of contactRefusals) {
    test(`contact refused with 400: ${what}`, () => expectRefusal({ to: alice.phone, contact }, 400, message));
  }

  test('a reaction to a received message names it as the contact sent it; "" removes it', async () => {
    const original = await received(alice, 'The door is closed');
    const { message, stanza } = await sent({ to: alice.phone, reaction: { id: original.id, emoji: '👍' } });
    const reaction = message.reactionMessage!;
    assert.equal(reaction.text, '👍');
    assert.deepEqual(
      { id: reaction.key?.id, fromMe: reaction.key?.fromMe, chat: reaction.key?.remoteJid },
      { id: original.id, fromMe: false, chat: alice.lidJid },
    );
    // the key names the chat as the message came (by LID, as WhatsApp addresses contacts now), and so does the reaction's stanza
    assert.equal(stanza.attrs.to, alice.lidJid);
    assert.equal(stanza.attrs.type, 'reaction');
    assert.equal(phoneChat(s.sim.recorded.outgoing, alice).reactions.get(original.id), '👍', "Alice's phone shows the thumbs-up on her message");
    const removed = await sent({ to: alice.jid, reaction: { id: original.id, emoji: '' } });
    assert.equal(removed.message.reactionMessage?.text, '');
    assert.equal(removed.message.reactionMessage?.key?.id, original.id);
    assert.equal(phoneChat(s.sim.recorded.outgoing, alice).reactions.has(original.id), false, 'and no reaction once removed');
  });

  test('a reaction to a message the bridge sent is keyed fromMe; flags and skin tones are one emoji', async () => {
    const own = await sent({ to: alice.phone, text: 'Parked at P3' });
    const { message } = await sent({ to: alice.phone, reaction: { id: own.id, emoji: '👍🏽' } });
    assert.deepEqual(
      { text: message.reactionMessage?.text, id: message.reactionMessage?.key?.id, fromMe: message.reactionMessage?.key?.fromMe },
      { text: '👍🏽', id: own.id, fromMe: true },
    );
    assert.equal((await sent({ to: alice.phone, reaction: { id: own.id, emoji: '🇩🇪' } })).message.reactionMessage?.text, '🇩🇪');
  });

  test("a reaction in a group names the member's message by its participant", async () => {
    const bob = s.sim.contact({ phone: '4917600000092', pushName: 'Bob' });
    const family = s.sim.group({ subject: 'Family', participants: [alice, bob] });
    const original = await received(bob, 'Dinner at 7', { group: family });
    const { message } = await sent({ to: family.jid, reaction: { id: original.id, emoji: '❤️' } });
    const key = message.reactionMessage?.key;
    assert.equal(message.reactionMessage?.text, '❤️');
    assert.deepEqual(
      { id: key?.id, chat: key?.remoteJid, fromMe: key?.fromMe, participant: key?.participant },
      { id: original.id, chat: family.jid, fromMe: false, participant: bob.lidJid },
    );
  });

  test('reaction refusals', async () => {
    const original = await received(alice, 'react to me');
    await expectRefusal(
      { to: alice.phone, reaction: { id: 'NOT-A-KNOWN-ID', emoji: '👍' } },
      404,
      /neither among the last 1000 messages received since the app started nor one this app sent/,
    );
    await expectRefusal({ to: alice.phone, reaction: { id: original.id, emoji: 'ok' } }, 400, /'reaction\.emoji' must be one emoji such as 👍/);
    await expectRefusal({ to: alice.phone, reaction: { id: original.id, emoji: '👍👍' } }, 400, /must be one emoji/);
    await expectRefusal({ to: alice.phone, reaction: original.id }, 400, /'reaction' must be \{"id": "<message id>", "emoji": "👍"\}/);
    await expectRefusal({ to: alice.phone, reaction: { id: original.id, emoji: '👍' }, text: 'and text' }, 400, /A reaction is sent on its own: drop 'text'/);
    const carol = s.sim.contact({ phone: '4917600000093', pushName: 'Carol' });
    await expectRefusal(
      { to: carol.phone, reaction: { id: original.id, emoji: '👍' } },
      409,
      new RegExp(`is in chat ${alice.lidJid}, not ${carol.jid}: send with that 'to'`),
    );
  });

  test('an edit arrives as a MESSAGE_EDIT protocolMessage (stanza edit="1") with the new text', async () => {
    const own = await sent({ to: alice.phone, text: 'The car is at P2' });
    const { message, stanza } = await sent({ to: alice.phone, edit: own.id, text: 'The car is at P3' });
    const edit = message.protocolMessage!;
    assert.equal(edit.type, proto.Message.ProtocolMessage.Type.MESSAGE_EDIT);
    assert.deepEqual({ id: edit.key?.id, fromMe: edit.key?.fromMe, chat: edit.key?.remoteJid }, { id: own.id, fromMe: true, chat: alice.jid });
    assert.equal(edit.editedMessage?.conversation ?? edit.editedMessage?.extendedTextMessage?.text, 'The car is at P3');
    assert.equal(stanza.attrs.edit, '1');
    const shown = phoneChat(s.sim.recorded.outgoing, alice).messages.find((m) => m.id === own.id);
    assert.deepEqual(shown && { text: shown.text, edited: shown.edited }, { text: 'The car is at P3', edited: true });
  });

  test('a deletion arrives as a REVOKE protocolMessage (stanza edit="7") of any kind the bridge sent', async () => {
    const own = await sent({ to: alice.phone, location: { latitude: 1, longitude: 2 } });
    const { message, stanza } = await sent({ to: alice.phone, delete: own.id });
    assert.equal(message.protocolMessage?.type, proto.Message.ProtocolMessage.Type.REVOKE);
    assert.deepEqual({ id: message.protocolMessage?.key?.id, fromMe: message.protocolMessage?.key?.fromMe }, { id: own.id, fromMe: true });
    assert.equal(stanza.attrs.edit, '7');
    const shown = phoneChat(s.sim.recorded.outgoing, alice).messages.find((m) => m.id === own.id);
    assert.deepEqual(shown && { deleted: shown.deleted, location: shown.location }, { deleted: true, location: null }, '"This message was deleted"');
  });

  test('edit and delete refusals', async () => {
    const theirs = await received(alice, 'their message');
    const poll = await sent({ to: alice.phone, poll: { question: 'Open?', options: ['Yes', 'No'] } });
    const own = await sent({ to: alice.phone, text: 'will be old' });
    await expectRefusal({ to: alice.phone, edit: 'UNKNOWN-ID', text: 'x' }, 404, /Message UNKNOWN-ID is not one this app sent in the last 45 days/);
    await expectRefusal({ to: alice.phone, delete: theirs.id }, 403, /was received, not sent by this app: only messages the app sent can be deleted/);
    await expectRefusal({ to: alice.phone, edit: poll.id, text: 'x' }, 400, /is a poll: only text messages can be edited/);
    await expectRefusal({ to: alice.phone, edit: own.id }, 400, /'edit' needs 'text'/);
    await expectRefusal({ to: alice.phone, edit: own.id, text: 'x', image: { path: '/media/x.jpg' } }, 400, /An edit is sent on its own: drop 'image'/);
    await expectRefusal({ to: alice.phone, edit: own.id, delete: own.id }, 400, /Send one of 'edit' and 'delete' at a time/);
    const bob = s.sim.contact({ phone: '4917600000094', pushName: 'Bob' });
    await expectRefusal({ to: bob.phone, delete: own.id }, 409, new RegExp(`was sent to ${alice.jid}, not ${bob.jid}`));
    age(own.id, 16 * 60 * 1000);
    await expectRefusal(
      { to: alice.phone, edit: own.id, text: 'too late' },
      409,
      /was sent 16 minutes ago: WhatsApp allows edits for 15 minutes after sending/,
    );
    age(own.id, 49 * 60 * 60 * 1000);
    await expectRefusal({ to: alice.phone, delete: own.id }, 409, /was sent 49 hours ago: WhatsApp deletes for everyone only within about 2 days/);
  });

  test('read marks the chat read up to a received message: a read receipt for it', async () => {
    const first = await received(alice, 'Are you home?');
    const answer = await send({ to: alice.phone, read: first.id });
    assert.equal(answer.status, 200, answer.json.error);
    assert.deepEqual(answer.json, { id: first.id });
    const receipt = s.sim.recorded.receipts.find((r) => r.type === 'read' && r.ids.includes(first.id));
    assert.ok(receipt, 'the contact got a read receipt');
    assert.equal(receipt.attrs.to, alice.lidJid, 'to the chat as the message came');
  });

  test('read refusals: a message the bridge sent, an unknown one', async () => {
    const own = await sent({ to: alice.phone, text: 'mine' });
    await expectRefusal({ to: alice.phone, read: own.id }, 403, /was sent by this app: only received messages can be marked read/);
    await expectRefusal({ to: alice.phone, read: 'NO-SUCH-ID' }, 404, /is not among the last 1000 messages received since the app started/);
    await expectRefusal({ to: alice.phone, read: 5 }, 400, /'read' must be the id of a received message/);
  });

  test('the new kinds share the recipient step: a number not on WhatsApp is 404', () =>
    expectRefusal({ to: '+1 555 0100 999', location: { latitude: 1, longitude: 2 } }, 404, /not on WhatsApp/));
});

test('the new kinds take the paced queue as text does: 429 past 10 waiting, spaced by send_interval, 503 while not connected', async () => {
  const s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0.3 } });
  try {
    const dave = s.sim.contact({ phone: '4917600000098', pushName: 'Dave' });
    const theirs = await s.sim.sendText(dave, 'React to me, many times');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === theirs.id));
    const post = (body: Record<string, unknown>) =>
      fetch(new URL('api/send', s.bridge.apiUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const started = Date.now();
    const bodies = Array.from({ length: 12 }, (_, i) =>
      i % 2 ? { to: dave.jid, reaction: { id: theirs.id, emoji: '👍' } } : { to: dave.jid, location: { latitude: i, longitude: i } },
    );
    const responses = await Promise.all(bodies.map(post));
    const statuses = responses.map((r) => r.status);
    assert.equal(statuses.filter((st) => st === 429).length, 1, `statuses ${statuses}`);
    assert.match((await responses.find((r) => r.status === 429)!.json()).error, /Too many messages waiting to be sent/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 10 * 300, `11 sends took ${elapsed} ms: at least 10 intervals of 300 ms`);

    s.sim.refuseConnections(60_000);
    s.sim.closeSocket();
    await s.bridge.status.waitFor((st) => st.state !== 'connected');
    const offline = await post({ to: dave.jid, reaction: { id: theirs.id, emoji: '👍' } });
    assert.equal(offline.status, 503);
    assert.match((await offline.json()).error, /WhatsApp is not connected/);
    s.sim.refuseConnections(0);
  } finally {
    await s.close();
  }
});

test("with the owner's read receipts off, read marks the chat read on the owner's devices only (read-self)", async () => {
  const s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0 }, simulator: { account: { readReceiptsOff: true } } });
  try {
    const erin = s.sim.contact({ phone: '4917600000099', pushName: 'Erin' });
    const theirs = await s.sim.sendText(erin, 'Seen this?');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === theirs.id));
    const answer = await fetch(new URL('api/send', s.bridge.apiUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: erin.phone, read: theirs.id }),
    });
    assert.equal(answer.status, 200);
    const receipts = s.sim.recorded.receipts.filter((r) => r.ids.includes(theirs.id) && r.type?.startsWith('read'));
    assert.deepEqual(
      receipts.map((r) => r.type),
      ['read-self'],
      'no blue ticks for Erin',
    );
  } finally {
    await s.close();
  }
});
