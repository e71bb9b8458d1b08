import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Contact, Group } from '../../simulator/index.js';
import type { InProcessBridge } from '../support/bridge-harness.js';
import { fakeSupervisor } from '../support/fake-supervisor.js';
import { pairedBridge } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-poll-tests';

async function sendPoll(bridge: InProcessBridge, to: string, poll: { question: string; options: string[]; multiple: boolean }): Promise<string> {
  const response = await fetch(new URL('api/send', bridge.apiUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ to, poll }),
  });
  const answer = await response.json();
  assert.equal(response.status, 200, JSON.stringify(answer));
  return answer.id as string;
}

describe('votes reach the webhook and the bus as poll_vote messages with the choice', () => {
  let s: Awaited<ReturnType<typeof pairedBridge>>;
  let supervisor: Awaited<ReturnType<typeof fakeSupervisor>>;
  let alice: Contact;
  let bob: Contact;
  let carol: Contact;
  let family: Group;
  /** Webhook bodies of votes on one poll, in arrival order. */
  const votes = (pollId: string) => s.receiver.accepted.filter((b) => b.type === 'poll_vote' && b.quoted_id === pollId);
  /** The poll's secret as the simulated recipient decrypted it from the bridge's message. */
  const secretOf = async (id: string) => (await s.sim.waitForOutgoing((m) => m.id === id)).message.messageContextInfo!.messageSecret!;

  before(async () => {
    supervisor = await fakeSupervisor();
    s = await pairedBridge({ options: { ha_event_enabled: true, api_token: TOKEN, send_interval: 0, media_download: false }, env: supervisor.env });
    alice = s.sim.contact({ phone: '4917600000401', pushName: 'Alice' });
    bob = s.sim.contact({ phone: '4917600000402', pushName: 'Bob' });
    carol = s.sim.contact({ phone: '4917600000403', pushName: 'Carol' });
    family = s.sim.group({ participants: [alice, bob, carol] });
  });
  after(async () => {
    await s.close();
    await supervisor.receiver.close();
  });

  test('a single-choice poll the app sent: a vote, a changed vote, a withdrawn vote', async () => {
    const options = ['Yes', 'No'];
    const id = await sendPoll(s.bridge, alice.phone, { question: 'Turn off the heating?', options, multiple: false });
    const poll = { id, creator: 'account' as const, secret: await secretOf(id), options };
    await s.sim.vote(alice, poll, ['Yes']);
    await s.sim.vote(alice, poll, ['No']);
    await s.sim.vote(alice, poll, []);
    await s.receiver.waitFor(() => votes(id).length >= 3);
    assert.deepEqual(
      votes(id).map((b) => [b.content, b.poll.selected]),
      [
        ['Yes', ['Yes']],
        ['No', ['No']],
        ['(vote withdrawn)', []],
      ],
    );
    const first = votes(id)[0];
    assert.deepEqual(first.poll, { id, question: 'Turn off the heating?', options, selected: ['Yes'] });
    assert.equal(first.sender, `${alice.phone}@s.whatsapp.net`);
    assert.equal(first.event, 'message');
    await supervisor.receiver.waitFor(() => supervisor.events('whatsapp_message').filter((e) => e.quoted_id === id).length >= 3);
    assert.deepEqual(supervisor.events('whatsapp_message').find((e) => e.id === first.id).poll, first.poll, 'the event carries poll too');
  });

  test('a multiple-choice poll in a group: the choices in the poll order, whichever JID form each side used', async () => {
    const options = ['Mon', 'Tue', 'Wed', 'Thu'];
    const id = await sendPoll(s.bridge, family.jid, { question: 'Which evenings?', options, multiple: true });
    const poll = { id, creator: 'account' as const, secret: await secretOf(id), options };
    await s.sim.vote(bob, poll, ['Wed', 'Mon'], { group: family });
    await s.sim.vote(carol, poll, ['Thu'], { group: family, voterAddressing: 'pn', creatorAddressing: 'pn' });
    await s.sim.vote(alice, poll, ['Tue'], { group: family, voterAddressing: 'pn', creatorAddressing: 'lid' });
    await s.receiver.waitFor(() => votes(id).length >= 3);
    // (Votes of different members may be decrypted by Baileys in either order.)
    const byVoter = new Map(votes(id).map((b) => [b.sender_phone, [b.content, b.chat]]));
    assert.deepEqual(byVoter.get(bob.phone), ['Mon, Wed', family.jid]);
    assert.deepEqual(byVoter.get(carol.phone), ['Thu', family.jid]);
    assert.deepEqual(byVoter.get(alice.phone), ['Tue', family.jid]);
  });

  test("a contact's own poll: its secret is kept from the poll message, so votes on it decrypt", async () => {
    const options = ['Pizza', 'Sushi', 'Tacos'];
    const created = await s.sim.sendPoll(alice, { question: 'Dinner?', options }, { group: family });
    await s.receiver.waitFor(() => s.receiver.accepted.some((b) => b.id === created.id));
    const pollMessage = s.receiver.accepted.find((b) => b.id === created.id);
    assert.equal(pollMessage.type, 'poll');
    assert.equal(pollMessage.poll, null, 'poll is only on votes');
    await s.sim.vote(bob, { id: created.id, creator: alice, secret: created.secret, options }, ['Sushi'], { group: family });
    await s.receiver.waitFor(() => votes(created.id).length >= 1);
    assert.deepEqual(votes(created.id)[0].poll, { id: created.id, question: 'Dinner?', options, selected: ['Sushi'] });

    // A contact's multiple-choice poll, voted by the phone addressing.
    const days = ['Sat', 'Sun'];
    const multiple = await s.sim.sendPoll(bob, { question: 'Hike when?', options: days, multiple: true }, { group: family });
    await s.sim.vote(carol, { id: multiple.id, creator: bob, secret: multiple.secret, options: days }, ['Sun', 'Sat'], {
      group: family,
      voterAddressing: 'pn',
      creatorAddressing: 'pn',
    });
    await s.receiver.waitFor(() => votes(multiple.id).length >= 1);
    assert.equal(votes(multiple.id)[0].content, 'Sat, Sun');
  });

  test('a vote on a poll the app never saw: selected null, content "Poll vote"', async () => {
    const unknown = { id: '3EB0UNKNOWNPOLL00000', creator: alice, secret: randomBytes(32), options: ['A', 'B'] };
    await s.sim.vote(bob, unknown, ['A'], { group: family });
    await s.receiver.waitFor(() => votes(unknown.id).length >= 1);
    const [vote] = votes(unknown.id);
    assert.equal(vote.content, 'Poll vote');
    assert.deepEqual(vote.poll, { id: unknown.id, question: null, options: null, selected: null });
  });
});
