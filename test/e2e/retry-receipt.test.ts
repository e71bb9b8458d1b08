import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Contact, SendOptions } from '../../simulator/index.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

/**
 * WhatsApp's own retries through the whole bridge: a message the bridge's client cannot decrypt
 * (the bridge forwards nothing for its CIPHERTEXT stub) is asked for again with a retry receipt,
 * the sender's phone sends it again on a new session, and that copy is forwarded, once.
 */
describe('a message that first fails to decrypt', () => {
  let s: BridgeWithReceiver;
  let alice: Contact;
  let bob: Contact;
  before(async () => {
    s = await pairedBridge();
    alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    bob = s.sim.contact({ phone: '4917600000002', pushName: 'Bob' });
  });
  after(() => s.close());

  const forwarded = (id: string) => s.receiver.accepted.filter((p) => p.id === id);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  /** Sends `text` undecryptable once, then a normal message once it was forwarded; returns both ids and the first's send-to-delivery time. */
  async function failOnceThenNormal(from: Contact, text: string, opts: SendOptions = {}) {
    const started = performance.now();
    const { id } = await s.sim.sendText(from, text, { ...opts, undecryptable: 'once' });
    await s.receiver.waitFor(() => forwarded(id).length > 0, 8000, `the retried ${id}`);
    const ms = performance.now() - started;
    const next = await s.sim.sendText(from, `after ${text}`, opts);
    await s.receiver.waitFor(() => forwarded(next.id).length > 0, 8000, `the message after ${id}`);
    return { id, next: next.id, ms };
  }

  /** The payloads of these ids in the order the receiver got them, each asserted to be there exactly once. */
  function deliveredOnceInOrder(ids: string[]) {
    for (const id of ids) assert.equal(forwarded(id).length, 1, `${id} forwarded exactly once`);
    return s.receiver.accepted.filter((p) => ids.includes(p.id));
  }

  test('1:1 by LID: forwarded once after the retry, with its content, and the next message after it', async (t) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { id, next, ms } = await failOnceThenNormal(alice, `retried ${i}`);
      times.push(ms);
      const [retried, following] = deliveredOnceInOrder([id, next]);
      assert.equal(retried.id, id);
      assert.equal(retried.content, `retried ${i}`);
      assert.equal(retried.sender, alice.jid);
      assert.equal(retried.push_name, 'Alice');
      assert.equal(following.content, `after retried ${i}`);
    }
    // all retries were answered by the phone, none refused
    assert.equal(s.sim.recorded.retries.filter((r) => r.refused).length, 0);
    t.diagnostic(`send -> webhook delivery after one retry: ${times.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(times).toFixed(0)} ms)`);
  });

  test('1:1 by phone number, after an earlier message (the retry replaces the existing session)', async (t) => {
    const earlier = await s.sim.sendText(bob, 'earlier', { addressing: 'pn' });
    await s.receiver.waitFor(() => forwarded(earlier.id).length > 0);
    const { id, next, ms } = await failOnceThenNormal(bob, 'retried by number', { addressing: 'pn' });
    const [retried, following] = deliveredOnceInOrder([id, next]);
    assert.equal(retried.content, 'retried by number');
    assert.equal(retried.sender, bob.jid);
    assert.equal(following.content, 'after retried by number');
    t.diagnostic(`send -> webhook delivery (pn): ${ms.toFixed(0)} ms`);
  });

  test('group: the resend carries the sender key, the next group message decrypts with it', async (t) => {
    const team = s.sim.group({ subject: 'Team', participants: [alice, bob] });
    const { id, next, ms } = await failOnceThenNormal(alice, 'retried in the group', { group: team });
    const [retried, following] = deliveredOnceInOrder([id, next]);
    assert.equal(retried.chat, team.jid);
    assert.equal(retried.is_group, true);
    assert.equal(retried.sender, alice.jid);
    assert.equal(retried.content, 'retried in the group');
    assert.equal(following.content, 'after retried in the group');
    t.diagnostic(`send -> webhook delivery (group): ${ms.toFixed(0)} ms`);
  });
});
