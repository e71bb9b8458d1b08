import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Contact, OutgoingMessage } from '../../simulator/index.js';
import { NOT_ANSWERING } from '../../src/assist/assist-answer.js';
import { conversationAnswer, FakeAssistSupervisor, type ConversationPost } from '../support/fake-assist-supervisor.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

/** How long the agent thinks before answering "how warm is it?". */
const THINKING_MS = 2500;

/**
 * What Assist's answers leave besides the reply, through the real stack (simulator, Baileys, the
 * bridge, a fake Supervisor with the conversation API and the event bus): the `assist` event
 * behind the message it answers, "typing…" while the agent thinks, and the conversation kept
 * across a restart.
 */
describe('Assist: the answer in the payload, typing while the agent thinks, the conversation across a restart', () => {
  let s: BridgeWithReceiver;
  let fake: FakeAssistSupervisor;
  let alice: Contact;
  /** Where Alice's first answer went (the address her message came from: her LID, as WhatsApp addresses her). */
  let aliceChat: string;

  before(async () => {
    fake = await FakeAssistSupervisor.start();
    fake.answerWith((post, i) => {
      const text = String(post.body.text);
      const id = typeof post.body.conversation_id === 'string' ? post.body.conversation_id : `conv-${i + 1}`;
      if (text === 'while restarting') return { status: 502, json: { message: 'Bad gateway' } };
      if (text === 'open the moon door')
        return { json: conversationAnswer('Sorry, I could not find a moon door', id, { type: 'error', code: 'no_valid_targets' }) };
      return { delayMs: text === 'how warm is it?' ? THINKING_MS : 200, json: conversationAnswer(`You said: ${text}`, id) };
    });
    s = await pairedBridge({
      env: fake.env,
      options: {
        send_interval: 0,
        typing_before_send: true,
        ha_event_enabled: true,
        assist_chats: ['+49 176 0000 0301', '+49 176 0000 0302', '+49 176 0000 0303'],
      },
    });
    alice = s.sim.contact({ phone: '4917600000301', pushName: 'Alice' });
  });
  after(async () => {
    await s.close();
    await fake.close();
  });

  /** `from` asks; resolves with the post the agent got, the reply the phone decrypted and the question's id. */
  async function ask(from: Contact, text: string): Promise<{ post: ConversationPost; reply: OutgoingMessage; id: string }> {
    const posts = fake.posts.length;
    const { id } = await s.sim.sendText(from, text);
    const reply = await s.sim.waitForOutgoing((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId === id, 20_000);
    await fake.waitForPosts(posts + 1);
    return { post: fake.posts[posts]!, reply, id };
  }

  /** The `assist` body the webhook got for the question `id`, once it came. */
  async function assistEvent(id: string): Promise<any> {
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.event === 'assist' && p.id === id), 10_000, `the assist event of ${id}`);
    return s.receiver.accepted.find((p) => p.event === 'assist' && p.id === id);
  }

  /** The chatstates to `chat` and the messages to it, in the order they reached the simulator. */
  function timeline(chat: string): Array<{ what: string; at: number }> {
    const states = s.sim.recorded.presences.filter((p) => p.tag === 'chatstate' && p.attrs.to === chat).map((p) => ({ what: p.state!, arrival: p.arrival }));
    const messages = s.sim.recorded.outgoing.filter((m) => m.to === chat).map((m) => ({ what: 'message', arrival: m.arrival }));
    return [...states, ...messages].sort((a, b) => a.arrival.seq - b.arrival.seq).map(({ what, arrival }) => ({ what, at: arrival.at }));
  }

  test('the answer comes as an `assist` event behind its message, to the webhook and as whatsapp_assist_answer', async () => {
    const { post, reply, id } = await ask(alice, 'how warm is it?');
    aliceChat = reply.to;
    const event = await assistEvent(id);
    const message = s.receiver.accepted.find((p) => p.event === 'message' && p.id === id);
    const conversationId = `conv-${fake.posts.indexOf(post) + 1}`;
    assert.deepEqual(
      {
        event: event.event,
        id: event.id,
        chat: event.chat,
        sender: event.sender,
        is_group: event.is_group,
        from_me: event.from_me,
        push_name: event.push_name,
        question: event.question,
      },
      { event: 'assist', id, chat: message.chat, sender: message.sender, is_group: false, from_me: false, push_name: 'Alice', question: 'how warm is it?' },
    );
    assert.deepEqual(event.assist, {
      response_type: 'query_answer',
      speech: 'You said: how warm is it?',
      conversation_id: conversationId,
      error: null,
      reply_id: reply.id,
    });
    const order = s.receiver.accepted.filter((p) => p.id === id).map((p) => p.event);
    assert.deepEqual(order, ['message', 'assist'], 'the message first, then its answer, in the chat’s order');
    const fired = await fake.waitForEvent('whatsapp_assist_answer', (d) => d.id === id);
    assert.deepEqual(fired.assist, event.assist, 'Home Assistant gets the same answer');
    assert.equal(fired.question, 'how warm is it?');
  });

  test('with typing_before_send, "typing…" shows while the agent thinks and stops once the answer is sent', () => {
    const events = timeline(aliceChat);
    assert.deepEqual(
      events.map((e) => e.what),
      ['composing', 'paused', 'composing', 'message', 'paused'],
    );
    const thought = events[1]!.at - events[0]!.at;
    assert.ok(thought >= THINKING_MS - 200, `typing for ${thought} ms while the agent thought for ${THINKING_MS} ms`);
  });

  test('an agent that fails: "not answering", the event says why; an error answer is marked as such; typing stops both times', async () => {
    const bob = s.sim.contact({ phone: '4917600000302', pushName: 'Bob' });
    const failed = await ask(bob, 'while restarting');
    assert.equal(failed.reply.message.extendedTextMessage?.text, NOT_ANSWERING);
    const failure = (await assistEvent(failed.id)).assist;
    assert.equal(failure.response_type, null);
    assert.equal(failure.speech, NOT_ANSWERING);
    assert.equal(failure.conversation_id, null);
    assert.match(failure.error, /HTTP 502: Bad gateway/);
    assert.equal(failure.reply_id, failed.reply.id);
    assert.doesNotMatch(JSON.stringify(s.receiver.accepted), new RegExp(fake.token), 'the Supervisor token is in no body');

    const refused = await ask(bob, 'open the moon door');
    const error = (await assistEvent(refused.id)).assist;
    assert.equal(error.response_type, 'error');
    assert.equal(error.speech, 'Sorry, I could not find a moon door');
    assert.equal(error.error, null, 'the agent answered');

    assert.deepEqual(
      timeline(failed.reply.to).map((e) => e.what),
      ['composing', 'paused', 'composing', 'message', 'paused', 'composing', 'paused', 'composing', 'message', 'paused'],
    );
  });

  test("a restart between two questions of a chat keeps the chat's conversation_id", async () => {
    const carol = s.sim.contact({ phone: '4917600000303', pushName: 'Carol' });
    const first = await ask(carol, 'who is home?');
    assert.equal(first.post.body.conversation_id, undefined, 'a new conversation');
    const conversationId = `conv-${fake.posts.indexOf(first.post) + 1}`;
    await assistEvent(first.id);

    await s.restart();
    await s.bridge.status.waitForState('connected', 30_000);
    const second = await ask(carol, 'and in the garden?');
    assert.equal(second.post.body.conversation_id, conversationId, 'chained after the restart');
    assert.equal((await assistEvent(second.id)).assist.conversation_id, conversationId);
    // Another chat has a conversation of its own.
    const other = await ask(alice, 'and me?');
    assert.notEqual(other.post.body.conversation_id, conversationId);
  });
});
