import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Arrival, Contact, OutgoingMessage, RecordedPresence } from '../../simulator/index.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-typing-tests';

async function send(s: BridgeWithReceiver, body: Record<string, unknown>): Promise<{ status: number; json: { id?: string; error?: string } }> {
  const res = await fetch(new URL('api/send', s.bridge.apiUrl), {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The chatstates to `chat` and the messages, in the order they reached the simulator. */
function timeline(s: BridgeWithReceiver, chat: string): Array<{ what: string; at: number; message?: OutgoingMessage }> {
  const states = s.sim.recorded.presences.filter((p) => p.tag === 'chatstate' && p.attrs.to === chat).map((p) => ({ what: p.state!, arrival: p.arrival }));
  const messages = s.sim.recorded.outgoing.filter((m) => m.to === chat).map((m) => ({ what: 'message', arrival: m.arrival, message: m }));
  const all: Array<{ what: string; arrival: Arrival; message?: OutgoingMessage }> = [...states, ...messages];
  return all.sort((a, b) => a.arrival.seq - b.arrival.seq).map(({ what, arrival, message }) => ({ what, at: arrival.at, ...(message ? { message } : {}) }));
}

/** No presence that makes the account look online: every account-wide one is typed unavailable. */
function assertNeverAvailable(presences: readonly RecordedPresence[]): void {
  const own = presences.filter((p) => p.tag === 'presence' && !p.attrs.to);
  for (const p of own) assert.equal(p.attrs.type, 'unavailable', `an account-wide presence that is not unavailable: ${JSON.stringify(p.attrs)}`);
}

test('typing_before_send (on by default): composing to the chat, 1-3 s, the message, then paused; never available', async (t) => {
  // undefined: the option is left out of options.json, so the app's default applies
  const s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0, typing_before_send: undefined } });
  try {
    const alice: Contact = s.sim.contact({ phone: '4917600000095', pushName: 'Alice' });
    const started = Date.now();
    const answer = await send(s, { to: alice.phone, text: 'The washing machine is done' });
    const took = Date.now() - started;
    assert.equal(answer.status, 200, answer.json.error);
    await s.sim.waitForOutgoing((m) => m.id === answer.json.id);
    const events = timeline(s, alice.jid);
    assert.deepEqual(
      events.map((e) => e.what),
      ['composing', 'message', 'paused'],
    );
    const typed = events[1]!.at - events[0]!.at;
    t.diagnostic(`typed for ${typed} ms; the API answered after ${took} ms`);
    assert.ok(typed >= 1000 && typed <= 3500, `typed for ${typed} ms before the message (1000-3000 and the way there)`);
    assert.ok(took >= 1000, `the API answered after the typing (${took} ms)`);
    assert.equal(events[1]!.message!.message.conversation ?? events[1]!.message!.message.extendedTextMessage?.text, 'The washing machine is done');

    // A reaction is no new message: a person's phone shows no typing before it.
    const theirs = await s.sim.sendText(alice, 'Thanks!');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === theirs.id));
    const reaction = await send(s, { to: alice.phone, reaction: { id: theirs.id, emoji: '👍' } });
    assert.equal(reaction.status, 200, reaction.json.error);
    const chatStates = s.sim.recorded.presences.filter((p) => p.tag === 'chatstate').length;
    const sentReaction = await s.sim.waitForOutgoing((m) => m.id === reaction.json.id);
    const lidStates = s.sim.recorded.presences.filter((p) => p.tag === 'chatstate' && p.attrs.to === sentReaction.to);
    assert.equal(lidStates.length, 0, 'no typing before the reaction');
    assert.equal(s.sim.recorded.presences.filter((p) => p.tag === 'chatstate').length, chatStates);
    assertNeverAvailable(s.sim.recorded.presences);
  } finally {
    await s.close();
  }
});

test('typing_before_send: false sends no chatstate at all', async () => {
  const s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0, typing_before_send: false } });
  try {
    const bob = s.sim.contact({ phone: '4917600000096', pushName: 'Bob' });
    const answer = await send(s, { to: bob.phone, location: { latitude: 48.137, longitude: 11.575, name: 'Parked' } });
    assert.equal(answer.status, 200, answer.json.error);
    await s.sim.waitForOutgoing((m) => m.id === answer.json.id);
    assert.deepEqual(
      s.sim.recorded.presences.filter((p) => p.tag === 'chatstate'),
      [],
    );
    assertNeverAvailable(s.sim.recorded.presences);
  } finally {
    await s.close();
  }
});

test('a send still typing when the app stops is answered 503 and does not leave', async () => {
  const s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0, typing_before_send: true } });
  try {
    const carol = s.sim.contact({ phone: '4917600000097', pushName: 'Carol' });
    const pending = send(s, { to: carol.phone, text: 'never sent' });
    await new Promise<void>((resolve) => {
      const check = (p: RecordedPresence) => {
        if (p.tag !== 'chatstate' || p.state !== 'composing') return;
        s.sim.events.off('presence', check);
        resolve();
      };
      s.sim.events.on('presence', check);
    });
    const stopping = s.bridge.stop();
    const answer = await pending;
    await stopping;
    assert.equal(answer.status, 503, JSON.stringify(answer.json));
    assert.match(answer.json.error!, /The app is stopping; send again once it is back/);
    assert.equal(s.sim.recorded.outgoing.length, 0, 'the message did not leave');
  } finally {
    await s.sim.stop();
    await s.receiver.close();
  }
});
