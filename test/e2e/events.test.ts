import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Contact, Group } from '../../simulator/index.js';
import type { InProcessBridge } from '../support/bridge-harness.js';
import { fakeSupervisor } from '../support/fake-supervisor.js';
import { pairedBridge } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-event-tests';
const ALL_KINDS = ['message', 'edit', 'delete', 'status', 'connection'];
const CHAT_FIELDS = ['sender', 'is_group', 'chat', 'timestamp', 'push_name', 'sender_phone', 'sender_lid', 'from_me'];

function send(bridge: InProcessBridge, body: unknown) {
  return fetch(new URL('api/send', bridge.apiUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
}

async function sent(bridge: InProcessBridge, body: unknown): Promise<string> {
  const response = await send(bridge, body);
  const answer = await response.json();
  assert.equal(response.status, 200, JSON.stringify(answer));
  return answer.id as string;
}

/** A paired bridge whose webhook gets every kind, with Home Assistant events through a fake Supervisor. */
async function allKinds() {
  const supervisor = await fakeSupervisor();
  const s = await pairedBridge({
    options: { webhook_events: ALL_KINDS, ha_event_enabled: true, api_token: TOKEN, send_interval: 0, media_download: false },
    env: supervisor.env,
  });
  return {
    ...s,
    supervisor,
    /** Webhook bodies of one kind, in arrival order. */
    bodies: (event: string) => s.receiver.accepted.filter((b) => b.event === event),
    async close() {
      await s.close();
      await supervisor.receiver.close();
    },
  };
}

describe('edits, deletions and reactions, with every kind on the webhook', () => {
  let s: Awaited<ReturnType<typeof allKinds>>;
  let alice: Contact;
  let bob: Contact;
  let admin: Contact;
  let group: Group;
  before(async () => {
    s = await allKinds();
    alice = s.sim.contact({ phone: '4917600000301', pushName: 'Alice' });
    bob = s.sim.contact({ phone: '4917600000302', pushName: 'Bob' });
    admin = s.sim.contact({ phone: '4917600000303', pushName: 'Admin' });
    group = s.sim.group({ participants: [alice, bob, admin] });
  });
  after(() => s.close());

  test('an edit arrives behind the message it edits, with the new text, in the chat order', async () => {
    const original = await s.sim.sendText(alice, 'Is the front door locked?');
    const edit = await s.sim.editMessage(alice, original.id, 'Is the back door locked?');
    const after = await s.sim.sendText(alice, 'thanks');
    await s.receiver.waitFor(() => s.receiver.accepted.some((b) => b.id === after.id));
    const ids = s.receiver.accepted.filter((b) => [original.id, edit.id, after.id].includes(b.edit_id ?? b.id)).map((b) => `${b.event}:${b.id}`);
    assert.deepEqual(ids, [`message:${original.id}`, `edit:${original.id}`, `message:${after.id}`]);
    const body = s.bodies('edit').find((b) => b.edit_id === edit.id);
    assert.equal(body.content, 'Is the back door locked?');
    assert.equal(body.sender, `${alice.phone}@s.whatsapp.net`);
    assert.equal(body.push_name, 'Alice');
    assert.equal(body.from_me, false);
    assert.deepEqual(Object.keys(body), [...CHAT_FIELDS, 'event', 'id', 'content', 'edit_id', 'raw']);

    // WhatsApp's apps wrap the edit in editedMessage: the same body.
    const wrapped = await s.sim.editMessage(alice, original.id, 'Is the side door locked?', { wrapped: true });
    await s.receiver.waitFor(() => s.bodies('edit').some((b) => b.edit_id === wrapped.id));
    assert.equal(s.bodies('edit').find((b) => b.edit_id === wrapped.id).content, 'Is the side door locked?');
  });

  test('a deletion names the deleted message; a group admin deleting someone else is deleted_by', async () => {
    const own = await s.sim.sendText(alice, 'oops');
    const ownDelete = await s.sim.deleteMessage(alice, own.id);
    const inGroup = await s.sim.sendText(bob, 'spam', { group });
    const adminDelete = await s.sim.deleteMessage(admin, inGroup.id, { group, author: bob });
    await s.receiver.waitFor(() => s.bodies('delete').length >= 2);
    // Two chats deliver independently: find each deletion by its id, not by arrival order.
    const first = s.bodies('delete').find((b) => b.id === own.id);
    const second = s.bodies('delete').find((b) => b.id === inGroup.id);
    assert.ok(first && second, 'both deletions arrive');
    assert.equal(first.sender, `${alice.phone}@s.whatsapp.net`);
    assert.equal(first.deleted_by, `${alice.phone}@s.whatsapp.net`);
    assert.equal(second.id, inGroup.id);
    assert.equal(second.chat, group.jid);
    assert.equal(second.is_group, true);
    assert.equal(second.sender, `${bob.phone}@s.whatsapp.net`, 'the author of the deleted message');
    assert.equal(second.deleted_by, `${admin.phone}@s.whatsapp.net`);
    assert.notEqual(ownDelete.id, adminDelete.id);
  });

  test('a reaction and its removal stay messages: the emoji, then "" with reaction_removed', async () => {
    const target = await s.sim.sendText(alice, 'dinner at 7?');
    await s.sim.react(bob, target.id, '👍', { targetAuthor: alice });
    await s.sim.react(bob, target.id, '', { targetAuthor: alice });
    await s.receiver.waitFor(() => s.receiver.accepted.filter((b) => b.type === 'reaction' && b.quoted_id === target.id).length >= 2);
    const reactions = s.receiver.accepted.filter((b) => b.type === 'reaction' && b.quoted_id === target.id);
    assert.deepEqual(
      reactions.map((b) => [b.content, b.reaction_removed]),
      [
        ['👍', false],
        ['', true],
      ],
    );
  });

  test('Home Assistant gets whatsapp_message_edited and whatsapp_message_deleted: the bodies without raw', async () => {
    await s.supervisor.receiver.waitFor(() => s.supervisor.events('whatsapp_message_deleted').length >= 2);
    const { raw: _edit, ...edit } = s.bodies('edit')[0];
    assert.deepEqual(s.supervisor.events('whatsapp_message_edited')[0], edit);
    // The two deletions are in different chats, so their order may differ between destinations.
    for (const { raw: _delete, ...deletion } of s.bodies('delete')) {
      assert.deepEqual(
        s.supervisor.events('whatsapp_message_deleted').find((e) => e.id === deletion.id),
        deletion,
      );
    }
  });
});

describe('receipts of sent messages and the link, on the webhook and the bus', () => {
  let s: Awaited<ReturnType<typeof allKinds>>;
  let carol: Contact;
  let dave: Contact;
  let group: Group;
  before(async () => {
    s = await allKinds();
    carol = s.sim.contact({ phone: '4917600000311', pushName: 'Carol' });
    dave = s.sim.contact({ phone: '4917600000312', pushName: 'Dave' });
    group = s.sim.group({ participants: [carol, dave] });
  });
  after(() => s.close());

  test('a 1:1 message sent through the API reports delivered, read and played, each once', async () => {
    const id = await sent(s.bridge, { to: carol.phone, text: 'The alarm went off.' });
    await s.receiver.waitFor(() => s.bodies('status').some((b) => b.id === id && b.status === 'delivered'));
    await s.sim.sendReceipt(carol, [id], 'read');
    await s.sim.sendReceipt(carol, [id], 'read'); // WhatsApp may repeat a receipt: reported once
    await s.sim.sendReceipt(carol, [id], 'played');
    await s.receiver.waitFor(() => s.bodies('status').some((b) => b.id === id && b.status === 'played'));
    const statuses = s.bodies('status').filter((b) => b.id === id);
    assert.deepEqual(
      statuses.map((b) => b.status),
      ['delivered', 'read', 'played'],
    );
    const read = statuses[1];
    assert.equal(read.recipient, `${carol.phone}@s.whatsapp.net`);
    assert.equal(read.chat, `${carol.phone}@s.whatsapp.net`);
    assert.equal(read.from_me, true);
    assert.equal(read.is_group, false);
    assert.deepEqual(Object.keys(read), [...CHAT_FIELDS, 'event', 'id', 'status', 'recipient']);
    await s.supervisor.receiver.waitFor(() => s.supervisor.events('whatsapp_message_status').filter((e) => e.id === id).length >= 3);
    assert.deepEqual(
      s.supervisor.events('whatsapp_message_status').filter((e) => e.id === id),
      statuses,
    );
  });

  test('in a group, each member read receipt is its own status', async () => {
    const id = await sent(s.bridge, { to: group.jid, text: 'Who took the car?' });
    await s.sim.sendReceipt(carol, [id], 'read', { group });
    await s.sim.sendReceipt(dave, [id], 'read', { group });
    await s.receiver.waitFor(() => s.bodies('status').filter((b) => b.id === id && b.status === 'read').length >= 2);
    const readers = s
      .bodies('status')
      .filter((b) => b.id === id && b.status === 'read')
      .map((b) => b.recipient)
      .sort();
    // The phone JID when the app knows it (Carol wrote to it before), the LID JID otherwise, as for `sender`.
    assert.deepEqual(readers, [`${carol.phone}@s.whatsapp.net`, dave.lidJid].sort());
    assert.ok(s.bodies('status').every((b) => b.id !== id || (b.chat === group.jid && b.is_group)));
  });

  test('connection bodies follow a drop and a re-link, in their own order', async () => {
    s.sim.closeSocket();
    await s.bridge.status.waitFor((st) => st.state === 'connected' && st.last_disconnect?.code === 428);
    await s.sim.unlink();
    const qr = await s.bridge.status.waitFor((st) => st.state === 'qr');
    await s.sim.pairWithQr(qr.qr!);
    await s.bridge.status.waitForState('connected');
    await s.receiver.waitFor(() => s.bodies('connection').filter((b) => b.state === 'connected').length >= 3);
    const states = s.bodies('connection').map((b) => b.state);
    assert.deepEqual(states, ['qr_required', 'connected', 'disconnected', 'connected', 'logged_out', 'qr_required', 'connected']);
    const dropped = s.bodies('connection')[2];
    assert.deepEqual(Object.keys(dropped), ['event', 'state', 'reason', 'code', 'phone', 'at']);
    assert.equal(dropped.code, 428);
    const { event: _event, ...data } = dropped;
    assert.deepEqual(s.supervisor.events('whatsapp_bridge_connection')[2], data, 'the bus gets the same, without event');
  });
});

describe('the default webhook_events', () => {
  test('keep the webhook to messages; Home Assistant still gets every kind', async () => {
    const supervisor = await fakeSupervisor();
    const s = await pairedBridge({ options: { ha_event_enabled: true, media_download: false, api_token: TOKEN, send_interval: 0 }, env: supervisor.env });
    try {
      const erin = s.sim.contact({ phone: '4917600000321', pushName: 'Erin' });
      const original = await s.sim.sendText(erin, 'see you at 8');
      await s.sim.editMessage(erin, original.id, 'see you at 9');
      await s.sim.deleteMessage(erin, original.id);
      const answer = await sent(s.bridge, { to: erin.phone, text: 'ok' });
      await supervisor.receiver.waitFor(() => supervisor.events('whatsapp_message_status').some((e) => e.id === answer));
      const last = await s.sim.sendText(erin, 'bye');
      await s.receiver.waitFor(() => s.receiver.accepted.some((b) => b.id === last.id));
      await supervisor.receiver.waitFor(() => supervisor.events('whatsapp_message_deleted').length === 1);
      assert.deepEqual(
        s.receiver.accepted.map((b) => b.event),
        ['message', 'message'],
      );
      const body = s.receiver.accepted[0];
      assert.deepEqual(Object.keys(body), [
        'sender',
        'content',
        'is_group',
        'event',
        'id',
        'chat',
        'timestamp',
        'type',
        'push_name',
        'sender_phone',
        'sender_lid',
        'from_me',
        'quoted_id',
        'media',
        'poll',
        'raw',
      ]);
      assert.equal(body.poll, null);
      assert.equal(supervisor.events('whatsapp_message_edited')[0].content, 'see you at 9');
    } finally {
      await s.close();
      await supervisor.receiver.close();
    }
  });
});
