import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { proto } from '@whiskeysockets/baileys';
import type { Contact } from '../../simulator/index.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-poll-tests';

interface PollRow {
  id: string;
  chat: string;
  question: string;
  options: string;
  secret: Buffer;
  creator_jids: string;
}

/** The polls table of the bridge's state file, read beside the running bridge. */
function pollRows(dataDir: string): PollRow[] {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare<[], PollRow>('SELECT id, chat, question, options, secret, creator_jids FROM polls').all();
  } finally {
    db.close();
  }
}

describe('sending a poll through the message API', () => {
  let s: BridgeWithReceiver;
  let alice: Contact;

  before(async () => {
    s = await pairedBridge({ options: { api_token: TOKEN, send_interval: 0 } });
    alice = s.sim.contact({ phone: '4917600000081', pushName: 'Alice' });
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

  /** Sends, and returns what the contact decrypted and the poll's row in the state file. */
  async function sendPoll(to: string, poll: Record<string, unknown>) {
    const answer = await send({ to, poll });
    assert.equal(answer.status, 200, answer.json.error);
    const id = answer.json.id!;
    const { message } = await s.sim.waitForOutgoing((m) => m.id === id);
    const row = pollRows(s.bridge.dataDir).find((r) => r.id === id);
    assert.ok(row, 'the poll is in the state file');
    return { id, message, row };
  }

  const optionNames = (poll: proto.Message.IPollCreationMessage | null | undefined) => poll?.options?.map((o) => o.optionName);
  const ownJids = () => [`${s.sim.account.phone}@s.whatsapp.net`, `${s.sim.account.lid}@lid`];

  test('a single-choice poll (multiple left out) is a pollCreationMessageV3 of one choice, its secret kept', async () => {
    const { message, row } = await sendPoll('+49 176 0000 0081', { question: 'Close the garage?', options: ['Yes', 'No'] });
    const poll = message.pollCreationMessageV3;
    assert.equal(poll?.name, 'Close the garage?');
    assert.deepEqual(optionNames(poll), ['Yes', 'No']);
    assert.equal(poll?.selectableOptionsCount, 1);
    assert.equal(message.pollCreationMessage, null, 'not also a multiple-choice poll');
    const secret = message.messageContextInfo?.messageSecret;
    assert.equal(secret?.length, 32);
    assert.ok(Buffer.from(secret!).equals(row.secret), "the contact's secret is the one in the state file");
    assert.deepEqual(
      { chat: row.chat, question: row.question, options: JSON.parse(row.options), creator_jids: JSON.parse(row.creator_jids) },
      { chat: alice.jid, question: 'Close the garage?', options: ['Yes', 'No'], creator_jids: ownJids() },
    );
  });

  test('a multiple-choice poll to a group is a pollCreationMessage of any number of choices', async () => {
    const bob = s.sim.contact({ phone: '4917600000082', pushName: 'Bob' });
    const family = s.sim.group({ subject: 'Family', participants: [alice, bob] });
    const options = ['Pizza', 'Pasta', 'Salad', 'Soup'];
    const { message, row } = await sendPoll(family.jid, { question: 'Dinner?', options, multiple: true });
    const poll = message.pollCreationMessage;
    assert.equal(poll?.name, 'Dinner?');
    assert.deepEqual(optionNames(poll), options);
    assert.equal(poll?.selectableOptionsCount ?? 0, 0, '0: voters choose as many as they like');
    assert.equal(message.pollCreationMessageV3, null);
    assert.ok(Buffer.from(message.messageContextInfo!.messageSecret!).equals(row.secret));
    assert.equal(row.chat, family.jid);
    assert.deepEqual(JSON.parse(row.creator_jids), ownJids());
  });

  const twelve = Array.from({ length: 12 }, (_, i) => `Option ${i + 1}`);
  const refusals: Array<[string, unknown, RegExp]> = [
    ['poll is not an object', 'Yes or no?', /'poll' must be \{"question": "\.\.\.", "options": \["\.\.\.", "\.\.\."\]/],
    ['no question', { options: ['a', 'b'] }, /'poll\.question' must be non-empty text/],
    ['an empty question', { question: '  ', options: ['a', 'b'] }, /'poll\.question' must be non-empty text/],
    ['a question of 256 characters', { question: 'q'.repeat(256), options: ['a', 'b'] }, /'poll\.question' is longer than 255 characters/],
    ['options not a list', { question: 'q', options: 'a, b' }, /'poll\.options' must be a list of 2 to 12 texts/],
    ['one option', { question: 'q', options: ['a'] }, /'poll\.options' has 1 options: a poll has 2 to 12/],
    ['13 options', { question: 'q', options: [...twelve, 'Option 13'] }, /'poll\.options' has 13 options: a poll has 2 to 12/],
    ['a duplicate option', { question: 'q', options: ['Yes', 'No', 'Yes'] }, /'poll\.options' has "Yes" twice/],
    ['an empty option', { question: 'q', options: ['Yes', ''] }, /'poll\.options\[1\]' must be non-empty text/],
    ['an option that is no text', { question: 'q', options: ['Yes', 2] }, /'poll\.options\[1\]' must be non-empty text/],
    ['an option of 101 characters', { question: 'q', options: ['Yes', 'n'.repeat(101)] }, /'poll\.options\[1\]' is longer than 100 characters/],
    ['multiple not a boolean', { question: 'q', options: ['a', 'b'], multiple: 'yes' }, /'poll\.multiple' must be true .* or false/],
  ];

  for (const [what, poll, message] of refusals) {
    test(`refused with 400: ${what}`, async () => {
      await expectRefusal({ to: alice.phone, poll }, message);
    });
  }

  test('refused with 400: a poll together with text or a file', async () => {
    const poll = { question: 'q', options: ['a', 'b'] };
    await expectRefusal({ to: alice.phone, poll, text: 'hello' }, /A poll is sent on its own: drop 'text'/);
    await expectRefusal({ to: alice.phone, poll, image: { path: '/media/x.png' }, caption: 'c' }, /drop 'image' and 'caption'/);
  });

  test('12 options (the most) are sent', async () => {
    const { message } = await sendPoll(alice.phone, { question: 'Which one?', options: twelve, multiple: false });
    assert.deepEqual(optionNames(message.pollCreationMessageV3), twelve);
  });

  test('reply_to quotes a received message in the poll', async () => {
    const received = await s.sim.sendText(alice, 'What shall we eat?');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === received.id));
    const answer = await send({ to: alice.phone, poll: { question: 'Dinner?', options: ['Pizza', 'Pasta'] }, reply_to: received.id });
    assert.equal(answer.status, 200, answer.json.error);
    const { message } = await s.sim.waitForOutgoing((m) => m.id === answer.json.id);
    assert.equal(message.pollCreationMessageV3?.contextInfo?.stanzaId, received.id);
    assert.equal(message.pollCreationMessageV3?.contextInfo?.quotedMessage?.conversation, 'What shall we eat?');
  });

  async function expectRefusal(body: Record<string, unknown>, message: RegExp): Promise<void> {
    const sentBefore = s.sim.recorded.outgoing.length;
    const pollsBefore = pollRows(s.bridge.dataDir).length;
    const answer = await send(body);
    assert.equal(answer.status, 400, JSON.stringify(answer.json));
    assert.deepEqual(Object.keys(answer.json), ['error']);
    assert.match(answer.json.error!, message);
    assert.doesNotMatch(answer.json.error!, /\n/, 'one line');
    assert.equal(s.sim.recorded.outgoing.length, sentBefore, 'nothing was sent');
    assert.equal(pollRows(s.bridge.dataDir).length, pollsBefore, 'no poll was stored');
  }
});
