import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { decryptPollVote, proto, type WAMessage } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import type { AccountIdentity } from '../src/whatsapp/jid.js';
import { voteContent } from '../src/payload/poll-payload.js';
import { PollStore, type StoredPoll } from '../src/polls/poll-store.js';
import { Polls } from '../src/polls/polls.js';
import { openDatabase, type Db } from '../src/state/database.js';
import { POLLS_FOR_DAYS, StatePruner } from '../src/state/state-pruner.js';

const DAY = 24 * 60 * 60 * 1000;
const ME = { phone: '491510000001@s.whatsapp.net', lid: '100000000000001@lid' };
const ALICE = { phone: '4917600000061@s.whatsapp.net', lid: '200000000000061@lid' };
const GROUP = '120363000000000001@g.us';
const account: AccountIdentity = { phoneJid: ME.phone, lidJid: ME.lid, phoneForLid: () => null };

/** A vote as WhatsApp's apps encrypt it, written from the protocol's description (not with Baileys' code). */
function encryptVote(secret: Uint8Array, pollMsgId: string, creatorJid: string, voterJid: string, chosen: string[]): proto.Message.IPollEncValue {
  const key0 = createHmac('sha256', Buffer.alloc(32)).update(secret).digest();
  const key = createHmac('sha256', key0)
    .update(Buffer.concat([Buffer.from(pollMsgId), Buffer.from(creatorJid), Buffer.from(voterJid), Buffer.from('Poll Vote'), Buffer.from([1])]))
    .digest();
  const plaintext = proto.Message.PollVoteMessage.encode({ selectedOptions: chosen.map((name) => createHash('sha256').update(name).digest()) }).finish();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${pollMsgId}\0${voterJid}`));
  return { encPayload: Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]), encIv: iv };
}

function pollMessage(key: WAMessage['key'], secret: Uint8Array | null, content: 'V3' | 'multiple' = 'V3'): WAMessage {
  const poll = { name: 'Dinner?', options: [{ optionName: 'Pizza' }, { optionName: 'Pasta' }, { optionName: 'Salad' }], selectableOptionsCount: 1 };
  return {
    key,
    messageTimestamp: Math.floor(Date.now() / 1000),
    message: {
      ...(secret ? { messageContextInfo: { messageSecret: secret } } : {}),
      ...(content === 'V3' ? { pollCreationMessageV3: poll } : { pollCreationMessage: { ...poll, selectableOptionsCount: 0 } }),
    },
  };
}

function voteMessage(key: WAMessage['key'], pollId: string, vote: proto.Message.IPollEncValue): WAMessage {
  return { key, message: { pollUpdateMessage: { pollCreationMessageKey: { id: pollId, remoteJid: key.remoteJid }, vote, senderTimestampMs: Date.now() } } };
}

/** Alice's vote in the group, addressed by her LID with her phone as the alternative (as WhatsApp does now). */
const aliceInGroup = (id: string): WAMessage['key'] => ({
  remoteJid: GROUP,
  id,
  fromMe: false,
  participant: '200000000000061:3@lid',
  participantAlt: '4917600000061:3@s.whatsapp.net',
});

function setup(): { db: Db; store: PollStore; polls: Polls; debug: string[] } {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'wab-polls-')));
  const store = new PollStore(db);
  const debug: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => debug.push(JSON.parse(line).msg) });
  return { db, store, polls: new Polls(store, logger), debug };
}

test('the test encrypts a vote the way decryptPollVote reads it', () => {
  const secret = randomBytes(32);
  const vote = encryptVote(secret, 'POLL1', ME.lid, ALICE.phone, ['Pasta']);
  const decrypted = decryptPollVote(vote, { pollEncKey: secret, pollMsgId: 'POLL1', pollCreatorJid: ME.lid, voterJid: ALICE.phone });
  assert.deepEqual(
    decrypted.selectedOptions.map((h) => Buffer.from(h).toString('hex')),
    [createHash('sha256').update('Pasta').digest('hex')],
  );
  assert.throws(() => decryptPollVote(vote, { pollEncKey: secret, pollMsgId: 'POLL1', pollCreatorJid: ME.phone, voterJid: ALICE.phone }), /authenticate/);
});

test('the store keeps a poll across a reopen of the state file; the first copy of an id wins', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-poll-store-'));
  const poll: StoredPoll = {
    id: 'POLL1',
    chat: GROUP,
    question: 'Dinner?',
    options: ['Pizza', 'Pasta'],
    secret: randomBytes(32),
    creatorJids: [ME.phone, ME.lid],
    createdAt: 1_700_000_000_000,
  };
  let db = openDatabase(dataDir);
  new PollStore(db).remember(poll);
  new PollStore(db).remember({ ...poll, question: 'An echo of the same poll' });
  db.close();
  db = openDatabase(dataDir);
  try {
    const found = new PollStore(db).find('POLL1');
    assert.deepEqual({ ...found, secret: Buffer.from(found!.secret) }, { ...poll, secret: Buffer.from(poll.secret) });
    assert.equal(new PollStore(db).find('NOPE'), undefined);
  } finally {
    db.close();
  }
});

describe('observe: a poll message is remembered with its secret and its creator', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  test("in a group, the participant's LID and phone, without device", () => {
    const secret = randomBytes(32);
    s.polls.observe(pollMessage(aliceInGroup('P1'), secret), account);
    const poll = s.store.find('P1')!;
    assert.deepEqual(
      { chat: poll.chat, question: poll.question, options: poll.options, creatorJids: poll.creatorJids },
      { chat: GROUP, question: 'Dinner?', options: ['Pizza', 'Pasta', 'Salad'], creatorJids: [ALICE.lid, ALICE.phone] },
    );
    assert.ok(Buffer.from(poll.secret).equals(secret));
  });

  test("in a 1:1 chat, the chat's JID and its alternative; a multiple-choice poll too", () => {
    s.polls.observe(pollMessage({ remoteJid: ALICE.lid, remoteJidAlt: ALICE.phone, id: 'P2', fromMe: false }, randomBytes(32), 'multiple'), account);
    assert.deepEqual(s.store.find('P2')?.creatorJids, [ALICE.lid, ALICE.phone]);
  });

  test("the account's own poll (from its phone): the account's JIDs", () => {
    s.polls.observe(pollMessage({ remoteJid: GROUP, id: 'P3', fromMe: true, participant: '100000000000001:2@lid' }, randomBytes(32)), account);
    assert.deepEqual(s.store.find('P3')?.creatorJids, [ME.phone, ME.lid]);
  });

  test('a lone LID gets the phone Baileys knows for it', () => {
    const knowing: AccountIdentity = { ...account, phoneForLid: (user) => (user === '200000000000061' ? '4917600000061' : null) };
    s.polls.observe(pollMessage({ remoteJid: GROUP, id: 'P4', fromMe: false, participant: ALICE.lid }, randomBytes(32)), knowing);
    assert.deepEqual(s.store.find('P4')?.creatorJids, [ALICE.lid, ALICE.phone]);
  });

  test('inside a disappearing-message wrapper', () => {
    const inner = pollMessage(aliceInGroup('P5'), randomBytes(32)).message!;
    s.polls.observe({ key: aliceInGroup('P5'), message: { ephemeralMessage: { message: inner } } }, account);
    assert.equal(s.store.find('P5')?.question, 'Dinner?');
  });

  test('a poll without a secret (its votes cannot be read) and other messages are not kept', () => {
    s.polls.observe(pollMessage(aliceInGroup('P6'), null), account);
    s.polls.observe({ key: aliceInGroup('P7'), message: { conversation: 'hi' } }, account);
    assert.equal(s.store.find('P6'), undefined);
    assert.equal(s.store.find('P7'), undefined);
    assert.match(s.debug.join('\n'), /Poll P6 came without its secret/);
  });
});

describe('voteOf: a vote is decrypted and named', () => {
  let s: ReturnType<typeof setup>;
  const secret = randomBytes(32);
  // The account's multiple-choice poll in the group; Alice votes.
  const vote = (id: string, chosen: string[], creatorJid = ME.lid, voterJid = ALICE.lid) =>
    voteMessage(aliceInGroup(id), 'POLL', encryptVote(secret, 'POLL', creatorJid, voterJid, chosen));
  beforeEach(() => {
    s = setup();
    s.polls.observe(pollMessage({ remoteJid: GROUP, id: 'POLL', fromMe: true }, secret, 'multiple'), account);
  });

  test('a single choice', () => {
    const poll = s.polls.voteOf(vote('V1', ['Pasta']), account);
    assert.deepEqual(poll, { id: 'POLL', question: 'Dinner?', options: ['Pizza', 'Pasta', 'Salad'], selected: ['Pasta'] });
    assert.equal(voteContent(poll!), 'Pasta');
  });

  test("several choices, in the poll's order whatever the vote's", () => {
    const poll = s.polls.voteOf(vote('V2', ['Salad', 'Pizza']), account)!;
    assert.deepEqual(poll.selected, ['Pizza', 'Salad']);
    assert.equal(voteContent(poll), 'Pizza, Salad');
  });

  test('a changed vote carries the new choice only', () => {
    assert.deepEqual(s.polls.voteOf(vote('V3', ['Pizza']), account)?.selected, ['Pizza']);
    assert.deepEqual(s.polls.voteOf(vote('V4', ['Salad']), account)?.selected, ['Salad']);
  });

  test('a withdrawn vote chooses nothing', () => {
    const poll = s.polls.voteOf(vote('V5', []), account)!;
    assert.deepEqual(poll.selected, []);
    assert.equal(voteContent(poll), '(vote withdrawn)');
  });

  test('every pair of LID and phone JIDs of creator and voter is found', () => {
    for (const creatorJid of [ME.phone, ME.lid]) {
      for (const voterJid of [ALICE.phone, ALICE.lid]) {
        assert.deepEqual(
          s.polls.voteOf(vote(`V-${creatorJid}-${voterJid}`, ['Pizza'], creatorJid, voterJid), account)?.selected,
          ['Pizza'],
          `${creatorJid} x ${voterJid}`,
        );
      }
    }
  });

  test('a vote from the account itself (from its phone) is read with its JIDs', () => {
    const own = voteMessage(
      { remoteJid: GROUP, id: 'V6', fromMe: true, participant: '100000000000001:2@lid' },
      'POLL',
      encryptVote(secret, 'POLL', ME.phone, ME.phone, ['Salad']),
    );
    assert.deepEqual(s.polls.voteOf(own, account)?.selected, ['Salad']);
  });

  test('a vote on a poll the bridge never saw names only the poll', () => {
    const unknown = voteMessage(aliceInGroup('V7'), 'OTHER', encryptVote(secret, 'OTHER', ME.lid, ALICE.lid, ['Pizza']));
    const poll = s.polls.voteOf(unknown, account)!;
    assert.deepEqual(poll, { id: 'OTHER', question: null, options: null, selected: null });
    assert.equal(voteContent(poll), 'Poll vote');
  });

  test('a tampered vote, or one for another voter, is unreadable: selected null, logged at debug', () => {
    const tampered = vote('V8', ['Pizza']);
    const payload = Buffer.from(tampered.message!.pollUpdateMessage!.vote!.encPayload!);
    payload[0]! ^= 1;
    tampered.message!.pollUpdateMessage!.vote!.encPayload = payload;
    assert.deepEqual(s.polls.voteOf(tampered, account)?.selected, null);
    assert.deepEqual(s.polls.voteOf(vote('V9', ['Pizza'], ME.lid, '4917600000099@s.whatsapp.net'), account)?.selected, null);
    assert.match(
      s.debug.join('\n'),
      /Vote V8 on poll POLL decrypts for none of creator 491510000001@s\.whatsapp\.net, 100000000000001@lid and voter 200000000000061@lid, 4917600000061@s\.whatsapp\.net/,
    );
  });

  test('other messages are no vote', () => {
    assert.equal(s.polls.voteOf({ key: aliceInGroup('X'), message: { conversation: 'Pizza!' } }, account), null);
    assert.equal(s.polls.voteOf(pollMessage(aliceInGroup('Y'), secret), account), null);
  });
});

test(`the pruner forgets polls older than ${POLLS_FOR_DAYS} days`, () => {
  const { db, store } = setup();
  const now = Date.UTC(2026, 5, 1);
  const poll = (id: string, age: number): StoredPoll => ({
    id,
    chat: GROUP,
    question: 'q',
    options: ['a', 'b'],
    secret: randomBytes(32),
    creatorJids: [ME.phone],
    createdAt: now - age * DAY,
  });
  store.remember(poll('OLD', POLLS_FOR_DAYS + 1));
  store.remember(poll('RECENT', POLLS_FOR_DAYS - 1));
  const pruned = new StatePruner(db, pino({ level: 'silent' }), () => now).prune();
  assert.equal(pruned.polls, 1);
  assert.equal(store.find('OLD'), undefined);
  assert.ok(store.find('RECENT'));
  db.close();
});
