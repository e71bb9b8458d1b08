import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Contact, Group, OutgoingMessage } from '../../simulator/index.js';
import { sleep, until } from '../../simulator/waits.js';
import { NOT_ANSWERING } from '../../src/assist/assist-answer.js';
import { conversationAnswer, FakeAssistSupervisor, type ConversationPost } from '../support/fake-assist-supervisor.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-assist-tests';

/**
 * Home Assistant's Assist answering in WhatsApp, through the real stack: the simulator, real
 * Baileys, the bridge, and a fake Supervisor serving /core/api/conversation/process that checks
 * the token and records each body; the answers arrive as replies the contact's phone decrypts.
 */
describe('Assist answers in WhatsApp', () => {
  let s: BridgeWithReceiver;
  let fake: FakeAssistSupervisor;
  let alice: Contact;
  let bob: Contact;
  let family: Group;

  before(async () => {
    fake = await FakeAssistSupervisor.start();
    // Scripted by the question's words: each failure Home Assistant can give.
    // An agent takes a moment, as a real one does (the simulated phone is still saving its own send).
    fake.answerWith((post, i) => ({ delayMs: post.body.text === 'question 0' ? 3000 : 300, ...scripted(post, i) }));
    const scripted = (post: ConversationPost, i: number) => {
      const text = String(post.body.text);
      const id = typeof post.body.conversation_id === 'string' ? post.body.conversation_id : `conv-${i + 1}`;
      if (text === 'open the moon door')
        return { json: conversationAnswer('Sorry, I could not find a moon door', id, { type: 'error', code: 'no_valid_targets' }) };
      if (text === 'think slowly') return { delayMs: 34_000, json: conversationAnswer('Too late', id) };
      if (text === 'while restarting') return { status: 502, json: { message: 'Bad gateway' } };
      if (text === 'to a missing agent') return { status: 404, json: { message: 'Agent conversation.gone not found' } };
      if (text === 'set a timer') return { json: conversationAnswer('For how long?', id, { continueConversation: true }) };
      if (text === 'turn on the kitchen light') return { json: conversationAnswer('Turned on the kitchen light', id, { type: 'action_done' }) };
      return { json: conversationAnswer(`You said: ${text}`, id) };
    };
    s = await pairedBridge({
      env: fake.env,
      options: {
        api_token: TOKEN,
        send_interval: 0,
        assist_chats: [
          '+49 176 0000 0208',
          '+49 176 0000 0201',
          'Family',
          'self',
          '+49 176 0000 0203',
          '4917600000204',
          '4917600000205',
          '4917600000206@s.whatsapp.net',
        ],
        assist_agent: 'conversation.home_assistant',
        voice_language: 'en',
      },
    });
    alice = s.sim.contact({ phone: '4917600000201', pushName: 'Alice' });
    bob = s.sim.contact({ phone: '4917600000202', pushName: 'Bob' });
    const hank = s.sim.contact({ phone: '4917600000207', pushName: 'Hank' });
    family = s.sim.createGroup({ subject: 'Family', participants: [bob, hank] }, bob);
    await until('the group in the chat directory', async () => {
      const answer = await fetch(new URL('api/chats?q=Family', s.bridge.apiUrl), { headers: { Authorization: `Bearer ${TOKEN}` } });
      return ((await answer.json()) as { chats: { name: string }[] }).chats.some((c) => c.name === 'Family') || undefined;
    });
  });
  after(async () => {
    await s.close();
    await fake.close();
  });

  /** `from` asks; resolves with the post the agent got and the reply the phone decrypted (quoting the question). */
  async function ask(from: Contact, text: string, group?: Group): Promise<{ post: ConversationPost; reply: OutgoingMessage; id: string }> {
    const posts = fake.posts.length;
    const { id } = await s.sim.sendText(from, text, group ? { group } : undefined);
    const reply = await s.sim.waitForOutgoing((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId === id && (!group || m.to === group.jid));
    await fake.waitForPosts(posts + 1);
    return { post: fake.posts[posts]!, reply, id };
  }

  const speech = (m: OutgoingMessage) => m.message.extendedTextMessage?.text;

  /** Sends a message that must not reach the agent; waits for it to be forwarded, then a moment for any post. */
  async function notAsked(send: () => Promise<{ id: string }>): Promise<void> {
    const posts = fake.posts.length;
    const { id } = await send();
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === id));
    await sleep(1500);
    assert.equal(fake.posts.length, posts, 'nothing was sent to the agent');
  }

  test('a question from an allowed contact is answered in that chat as a reply quoting it', async () => {
    const first = await ask(alice, 'is the garage door open?');
    assert.equal(first.post.authorized, true, 'the Supervisor token went as Bearer');
    assert.deepEqual(first.post.body, { text: 'is the garage door open?', language: 'en', agent_id: 'conversation.home_assistant' });
    assert.equal(speech(first.reply), 'You said: is the garage door open?');
    assert.equal(first.reply.recipient, alice);
    assert.equal(first.reply.message.extendedTextMessage?.contextInfo?.quotedMessage?.conversation, 'is the garage door open?', 'quoted');

    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === first.id));
  });

  test('an error answer is sent as the agent said it', async () => {
    const { reply } = await ask(s.sim.contact({ phone: '4917600000204', pushName: 'Dave' }), 'open the moon door');
    assert.equal(speech(reply), 'Sorry, I could not find a moon door');
  });

  test('Home Assistant restarting (502) or a missing agent (404): one short "not answering" reply', async () => {
    const restarting = await ask(s.sim.contact({ phone: '4917600000205', pushName: 'Erin' }), 'while restarting');
    assert.equal(speech(restarting.reply), NOT_ANSWERING);
    const missing = await ask(s.sim.contact({ phone: '4917600000206', pushName: 'Frank' }), 'to a missing agent');
    assert.equal(speech(missing.reply), NOT_ANSWERING);
    const page = (await (await fetch(new URL('api/status', s.bridge.url))).json()) as { assist: { on: boolean; last: { error: string } } };
    assert.equal(page.assist.on, true);
    assert.match(page.assist.last.error, /HTTP 404: Agent conversation.gone not found/);
    assert.doesNotMatch(JSON.stringify(page), new RegExp(fake.token), 'the Supervisor token is never shown');
  });

  test('an agent slower than 30 s: the chat goes on being forwarded, and the person hears it is not answering', async () => {
    const ivy = s.sim.contact({ phone: '4917600000208', pushName: 'Ivy' });
    const posts = fake.posts.length;
    const question = await s.sim.sendText(ivy, 'think slowly');
    await fake.waitForPosts(posts + 1);
    const next = await s.sim.sendText(ivy, 'meanwhile, a plain message');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === next.id), 5000);
    const order = s.receiver.accepted.filter((p) => p.id === question.id || p.id === next.id).map((p) => p.id);
    assert.deepEqual(order, [question.id, next.id], 'forwarded at once and in order while the agent thinks');
    const reply = await s.sim.waitForOutgoing((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId === question.id, 40_000);
    assert.equal(speech(reply), NOT_ANSWERING);
    // The chat's next message is asked after that, in its turn.
    assert.equal((await fake.waitForPosts(posts + 2))[posts + 1]!.body.text, 'meanwhile, a plain message');
  });

  test('in a group only messages with the prefix reach the agent, without it; an agent that asks back gets the next message', async () => {
    await notAsked(() => s.sim.sendText(bob, 'dinner at eight?', { group: family }));
    const asked = await ask(bob, '@home set a timer', family);
    assert.equal(asked.post.body.text, 'set a timer');
    assert.equal(speech(asked.reply), 'For how long?');
    assert.equal(asked.post.body.conversation_id, undefined, 'a new conversation');
    const followUp = await ask(family.participants[1]!, 'ten minutes', family);
    assert.equal(followUp.post.body.text, 'ten minutes', 'continue_conversation: no prefix needed');
    assert.equal(followUp.post.body.conversation_id, `conv-${fake.posts.indexOf(asked.post) + 1}`, 'the chat keeps its conversation');
    await notAsked(() => s.sim.sendText(bob, 'and now without prefix again', { group: family }));
  });

  test('the "Message yourself" chat reaches the agent, and the answer is not asked again', async () => {
    const me = { jid: `${s.sim.account.phone}@s.whatsapp.net` } as Contact;
    const posts = fake.posts.length;
    await s.sim.sendFromPhone(me, 'is anyone home?', 'Me');
    const [post] = (await fake.waitForPosts(posts + 1)).slice(posts);
    assert.equal(post!.body.text, 'is anyone home?');
    // The answer goes to the account's own number; the simulator has no phone of the account's own that decrypts it.
    await sleep(1000);
    assert.equal(fake.posts.length, posts + 1, 'the answer itself (the app’s own message) is not asked again');
  });

  test('an unlisted sender and an offline message from before the start are forwarded, never asked', async () => {
    await notAsked(() => s.sim.sendText(bob, 'turn off the alarm'));
    await notAsked(() => s.sim.sendText(alice, 'from before the start', { offline: true, timestamp: Math.floor(Date.now() / 1000) - 3600 }));
  });

  test('over 10 questions a minute: only 10 reach the agent, all are forwarded in order', async () => {
    const carol = s.sim.contact({ phone: '4917600000203', pushName: 'Carol' });
    const posts = fake.posts.length;
    const ids = await s.sim.sendMany(12, (i) => ({ from: carol, text: `question ${i}` }));
    await fake.waitForPosts(posts + 10);
    await sleep(4000);
    assert.equal(fake.posts.length, posts + 10, 'the 11th and 12th were not asked');
    await s.receiver.waitFor(() => ids.every((id) => s.receiver.accepted.some((p) => p.id === id)));
    // The messages themselves (each answered one is followed by its `assist` event, with the same id).
    const order = s.receiver.accepted.filter((p) => p.event === 'message' && ids.includes(p.id)).map((p) => p.id);
    assert.deepEqual(order, ids, 'forwarded in order, all twelve');
    // Carol's phone reads ten answers and, replying to the 11th question, the one "resting" note; the 12th gets none.
    const { RESTING } = await import('../../src/assist/assist.js');
    const replies = await Promise.all(ids.slice(0, 11).map((id) => s.sim.waitForOutgoing((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId === id)));
    assert.deepEqual(replies.map(speech), [...ids.slice(0, 10).map((_, i) => `You said: question ${i}`), RESTING]);
    assert.ok(
      replies.every((m) => m.recipient === carol && m.to === replies[0]!.to),
      'all in the chat with Carol',
    );
    const resting = s.sim.recorded.outgoing.filter((m) => m.recipient === carol && speech(m) === RESTING);
    assert.deepEqual(
      resting.map((m) => m.id),
      [replies[10]!.id],
      'told exactly once',
    );
  });
});
