import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions } from '../src/config/options.js';

test('assist_chats: off by default, entries sorted into people, group JIDs, group names and self', () => {
  assert.equal(parseOptions({}).options.assist.on, false);
  const { options, problems } = parseOptions({
    assist_chats: ['+49 151 2345678', '120363000000000003@g.us', 'Family', 'self', '200000000000001@lid'],
    assist_agent: 'conversation.openai',
  });
  assert.deepEqual(problems, []);
  const a = options.assist;
  assert.equal(a.on, true);
  assert.deepEqual(a.people, ['491512345678@s.whatsapp.net', '200000000000001@lid']);
  assert.deepEqual(a.groupJids, ['120363000000000003@g.us']);
  assert.deepEqual(a.groupNames, ['Family']);
  assert.equal(a.self, true);
  assert.equal(a.agent, 'conversation.openai');
  assert.equal(a.prefix, '@home');
});

test('a wrong entry is left out with one problem; a wrong agent or no Supervisor turns Assist off', () => {
  const wrongEntry = parseOptions({ assist_chats: ['12@g.us.x@lid', 'Family', 5] });
  assert.deepEqual(wrongEntry.options.assist.chats, ['Family']);
  assert.equal(wrongEntry.problems.length, 1);
  assert.match(wrongEntry.problems[0]!.message, /left out/);

  const wrongAgent = parseOptions({ assist_chats: ['self'], assist_agent: 'light.kitchen' });
  assert.equal(wrongAgent.options.assist.on, false);
  assert.match(wrongAgent.problems[0]!.message, /conversation entity id/);

  const noSupervisor = parseOptions({ assist_chats: ['self'] }, { supervisorAvailable: false });
  assert.equal(noSupervisor.options.assist.on, false);
  assert.match(noSupervisor.problems[0]!.message, /Supervisor/);
});
