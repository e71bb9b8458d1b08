import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WaSimulator, type Contact, type Group } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { sleep, until } from '../../simulator/waits.js';
import type { ChatEntry, ChatsAnswer } from '../../src/directory/chat-list.js';
import { pairedDaemon } from '../support/paired-bridge.js';

const TOKEN = 'chat-directory-token-0123456789';

describe('the chat directory (daemon + simulator, GET /api/chats)', () => {
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let daemon: BridgeProcess;
  let api: string;
  let alice: Contact;
  let bob: Contact;
  let family: Group;

  const get = (query = '', token: string | null = TOKEN) =>
    fetch(new URL(`api/chats${query}`, api), { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const chats = async (query = '') => {
    const response = await get(query);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as ChatsAnswer;
  };
  const group = async (subject: string) =>
    (await chats(`?q=${encodeURIComponent(subject)}&limit=200`)).chats.find((c) => c.kind === 'group' && c.name === subject);
  const send = (body: unknown) =>
    fetch(new URL('api/send', api), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });

  before(async () => {
    sim = await WaSimulator.start();
    receiver = await TestReceiver.start();
    alice = sim.contact({ phone: '4917600000301', pushName: 'Alice Ångström' });
    bob = sim.contact({ phone: '4917600000302', pushName: 'Bob' });
    family = sim.group({ subject: 'Family', participants: [alice, bob], admins: [alice], accountAdmin: false });
    sim.group({ subject: 'Garden club', participants: [alice] });
    sim.group({ subject: 'Neighbours', participants: [bob] });
    sim.group({ subject: 'neighbours', participants: [alice, bob] });
    daemon = await pairedDaemon({ sim, receiver, options: { api_token: TOKEN, send_interval: 0 } });
    const port = /Message API listening on port (\d+)/.exec(await daemon.waitForLog(/Message API listening on port \d+/))![1];
    api = `http://127.0.0.1:${port}/`;
  });
  after(async () => {
    await daemon?.kill('SIGTERM');
    await sim?.stop();
    await receiver?.close();
  });

  test('after connect: every group with its subject, JID, member count and whether the account is an admin', async () => {
    await until('the groups in the directory', async () => (await chats()).total >= 4 || undefined, 15_000);
    const answer = await chats();
    const groups = answer.chats.filter((c) => c.kind === 'group');
    assert.deepEqual(
      groups.map((g) => [g.name, g.members, g.admin]),
      [
        ['Family', 3, false],
        ['Garden club', 2, true],
        ['Neighbours', 2, true],
        ['neighbours', 3, true],
      ],
    );
    assert.equal(groups.find((g) => g.name === 'Family')!.jid, family.jid);
  });

  test('without the token 401; bad parameters a one-line 400', async () => {
    const refused = await get('', null);
    assert.equal(refused.status, 401);
    assert.match((await refused.json()).error, /Bearer/);
    assert.equal((await get('', 'wrong-token-wrong-token')).status, 401);
    for (const [query, message] of [
      ['?limit=0', /'limit' must be a whole number from 1 to 200/],
      ['?limit=201', /'limit'/],
      ['?limit=abc', /'limit'/],
      ['?offset=-1', /'offset'/],
      ['?offset=1&cursor=2', /not both/],
      ['?q=a&q=b', /'q' must be one text/],
      ['?colour=red', /Unknown parameter 'colour'/],
    ] as const) {
      const response = await get(query);
      assert.equal(response.status, 400, query);
      const { error } = await response.json();
      assert.match(error, message);
      assert.doesNotMatch(error, /\n/);
    }
  });

  test('contacts who wrote: push name, phone JID, LID and last message time; ?q= over name and JID, case and accents aside', async () => {
    const sent = await sim.sendText(alice, 'Hello directory');
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === sent.id));
    const found = await until('Alice in the directory', async () => (await chats('?q=angstrom')).chats.find((c) => c.kind === 'contact'), 10_000);
    assert.deepEqual(found, {
      kind: 'contact',
      jid: alice.jid,
      name: 'Alice Ångström',
      members: null,
      admin: null,
      phone_jid: alice.jid,
      lid: alice.lidJid,
      last_message_at: sent.timestamp,
    } satisfies ChatEntry);
    assert.deepEqual(
      (await chats(`?q=${alice.lid}`)).chats.map((c) => c.jid),
      [alice.jid],
      'by LID',
    );
    assert.deepEqual(
      (await chats('?q=GARDEN')).chats.map((c) => c.name),
      ['Garden club'],
    );
    assert.deepEqual((await chats('?q=no-such-chat')).chats, []);
  });

  test('pagination: limit and offset (or cursor) walk the list once, next_offset null on the last page', async () => {
    const all = await chats('?limit=200');
    const seen: string[] = [];
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const page: ChatsAnswer = await chats(`?limit=2&${pages % 2 ? 'cursor' : 'offset'}=${offset}`);
      assert.ok(page.chats.length <= 2);
      assert.equal(page.total, all.total);
      seen.push(...page.chats.map((c) => c.jid));
      offset = page.next_offset;
      pages++;
    }
    assert.deepEqual(
      seen,
      all.chats.map((c) => c.jid),
    );
    assert.equal(pages, Math.ceil(all.total / 2));
  });

  test('send by group name: a match arrives in the group; none is a 404 naming the closest; two a 409 listing their JIDs', async () => {
    const response = await send({ to: { group: 'FAMILY' }, text: 'Dinner at 7' });
    assert.equal(response.status, 200, await response.clone().text());
    const { id } = await response.json();
    const outgoing = await sim.waitForOutgoing((m) => m.id === id);
    assert.equal(outgoing.to, family.jid);
    assert.equal(outgoing.message.conversation ?? outgoing.message.extendedTextMessage?.text, 'Dinner at 7');

    const none = await send({ to: { group: 'Famly' }, text: 'x' });
    assert.equal(none.status, 404);
    assert.match((await none.json()).error, /no group named "Famly"\. The closest: "Family"/);

    const two = await send({ to: { group: 'neighbours' }, text: 'x' });
    assert.equal(two.status, 409);
    const { error } = await two.json();
    const neighbours = (await chats('?q=neighbours')).chats.map((c) => c.jid);
    assert.equal(neighbours.length, 2);
    for (const jid of neighbours) assert.ok(error.includes(jid), error);

    const bad = await send({ to: { group: '' }, text: 'x' });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /\{"group": "<the group's subject>"\}/);
  });

  test('a group created, renamed and left: the directory follows', async () => {
    const created = sim.createGroup({ subject: 'Holiday 2027', participants: [alice, bob], admins: [bob], accountAdmin: false }, bob);
    const fresh = await until('the new group', () => group('Holiday 2027'), 10_000);
    assert.deepEqual([fresh.jid, fresh.members, fresh.admin], [created.jid, 3, false]);

    sim.renameGroup(created, 'Holiday 2028', bob);
    await until('the new subject', () => group('Holiday 2028'), 10_000);
    assert.equal(await group('Holiday 2027'), undefined);

    sim.addToGroup(created, sim.contact({ phone: '4917600000303', pushName: 'Carol' }), bob);
    await until('four members (one metadata call, spaced)', async () => (await group('Holiday 2028'))?.members === 4 || undefined, 10_000);

    sim.leaveGroup(created);
    await until('the group gone', async () => (await group('Holiday 2028')) === undefined || undefined, 10_000);
    const notMember = await send({ to: created.jid, text: 'still there?' });
    assert.equal(notMember.status, 404);
    assert.match((await notMember.json()).error, /not a member/);
    const byName = await send({ to: { group: 'Holiday 2028' }, text: 'x' });
    assert.equal(byName.status, 404);
  });

  test('rate-overlimit: the bridge backs off, logs it once, and the cache keeps answering', async () => {
    sim.limitGroupQueries(true);
    try {
      const before = sim.recorded.iqs.filter((iq) => iq.xmlns === 'w:g2').length;
      sim.addToGroup(family, sim.contact({ phone: '4917600000304', pushName: 'Dan' }), alice);
      await daemon.waitForLog(/rate-overlimit.*no group query for 1 min, the cached groups keep answering/, 10_000);
      const cached = await group('Family');
      assert.deepEqual([cached?.jid, cached?.members], [family.jid, 3], 'the cached entry, unchanged');
      // Another change while backing off: no call now (the spacing alone would allow one after 2 s).
      sim.addToGroup(family, sim.contact({ phone: '4917600000305', pushName: 'Eve' }), alice);
      await sleep(2_500);
      assert.equal(sim.recorded.iqs.filter((iq) => iq.xmlns === 'w:g2').length, before + 1, 'one refused call, then none while backing off');
      assert.deepEqual(
        (await chats('?q=family')).chats.map((c) => c.jid),
        [family.jid],
        'the cache still answers',
      );
    } finally {
      sim.limitGroupQueries(false);
    }
  });

  test('a restart within 15 minutes: no second full fetch, the kept list answers at once', async () => {
    const fullFetches = () => sim.recorded.iqs.filter((iq) => iq.xmlns === 'w:g2' && iq.child === 'participating').length;
    assert.equal(fullFetches(), 1, 'one full fetch at the first connect');
    await daemon.kill('SIGTERM');
    daemon = await pairedDaemon({ sim, receiver, dataDir: daemon.dataDir, options: { api_token: TOKEN, send_interval: 0 } });
    const port = /Message API listening on port (\d+)/.exec(await daemon.waitForLog(/Message API listening on port \d+/))![1];
    api = `http://127.0.0.1:${port}/`;
    assert.equal((await group('Family'))?.jid, family.jid);
    assert.ok(
      (await chats('?q=angstrom')).chats.some((c) => c.jid === alice.jid),
      'the people are kept in the state file',
    );
    assert.equal(fullFetches(), 1);
  });

  test('unlinked by the phone: the list is forgotten (the next link may be another account)', async () => {
    await sim.unlink();
    await until('an empty directory', async () => (await chats()).total === 0 || undefined, 10_000);
  });
});
