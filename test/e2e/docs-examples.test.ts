import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, defineScalarTag, load } from 'js-yaml';
import { fakeSupervisor } from '../support/fake-supervisor.js';
import { pairedBridge } from '../support/paired-bridge.js';
import { eventEntityBody } from '../../src/destinations/mqtt-events/mqtt-events-unit.js';

/**
 * The docs cannot drift from the code: every YAML example parses, and every field an example
 * reads (trigger.json.X, trigger.event.data.X, event_data keys) is one the bridge really sends,
 * taken from a real run through the simulator.
 */
const DOCS = ['DOCS.md', 'README.md', 'docs/architecture.md'].map((path) => ({
  path,
  text: readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8'),
}));
/** Home Assistant's `!secret name` tag, as a plain string. */
const HA_SCHEMA = CORE_SCHEMA.withTags(defineScalarTag('!secret', { resolve: (name: string) => `secret:${name}`, identify: () => false }));

function codeBlocks(language: string) {
  return DOCS.flatMap(({ path, text }) => [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => ({ path, code: m[1]! })));
}

/** Real bodies from one run: the webhook's (by kind) and Home Assistant's events (by event type). */
const real: {
  webhook: Record<string, unknown>;
  reaction: Record<string, unknown>;
  media: Record<string, unknown>;
  kinds: Record<string, Record<string, unknown>>;
  events: Record<string, Record<string, unknown>>;
} = { webhook: {}, reaction: {}, media: {}, kinds: {}, events: {} };

const API_TOKEN = 'api-token-for-the-docs-tests';
const KINDS = ['message', 'edit', 'delete', 'status', 'connection'];

before(async () => {
  const supervisor = await fakeSupervisor();
  // media_download off: the image below has made-up keys, and its `media` has the same fields either way.
  const { sim, receiver, bridge, close } = await pairedBridge({
    options: { ha_event_enabled: true, media_download: false, webhook_events: KINDS, api_token: API_TOKEN, send_interval: 0 },
    env: supervisor.env,
  });
  try {
    const alice = sim.contact({ phone: '4917600000071', pushName: 'Alice' });
    const original = await sim.sendText(alice, 'garage');
    const reply = await sim.sendMessage(alice, {
      extendedTextMessage: {
        text: 'and the lights?',
        contextInfo: { stanzaId: original.id, participant: alice.jid, quotedMessage: { conversation: 'garage' } },
      },
    });
    const bytes = new Uint8Array(32);
    const image = await sim.sendMessage(alice, {
      imageMessage: {
        url: 'https://mmg.whatsapp.net/x',
        directPath: '/x',
        mediaKey: bytes,
        fileSha256: bytes,
        fileEncSha256: bytes,
        fileLength: 9,
        mimetype: 'image/jpeg',
      },
    });
    const reaction = await sim.react(alice, original.id, '👍', { targetAuthor: alice });
    await sim.editMessage(alice, original.id, 'the garage door');
    await sim.deleteMessage(alice, reply.id);
    const answer = await fetch(new URL('api/send', bridge.apiUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ to: alice.phone, text: 'It is closed.' }),
    });
    const { id: sentId } = await answer.json();
    await receiver.waitFor(() => receiver.accepted.some((b) => b.event === 'status'));
    const eventTypes = ['whatsapp_message', 'whatsapp_message_edited', 'whatsapp_message_deleted', 'whatsapp_message_status', 'whatsapp_bridge_connection'];
    await supervisor.receiver.waitFor(() => eventTypes.every((type) => supervisor.events(type).length > 0));
    const byId = (id: string) => receiver.accepted.find((b) => b.event === 'message' && b.id === id);
    real.webhook = byId(reply.id);
    real.reaction = byId(reaction.id);
    real.media = byId(image.id).media;
    for (const kind of KINDS) real.kinds[kind] = receiver.accepted.find((b) => b.event === kind);
    for (const type of eventTypes) real.events[type] = supervisor.events(type)[0];
    assert.equal(real.kinds.status!.id, sentId);
  } finally {
    await close();
    await supervisor.receiver.close();
  }
});

describe('documentation examples', () => {
  test("every YAML example parses (with Home Assistant's !secret)", () => {
    const blocks = codeBlocks('yaml');
    assert.ok(blocks.length >= 6, `found ${blocks.length} YAML examples`);
    for (const { path, code } of blocks) assert.doesNotThrow(() => load(code, { schema: HA_SCHEMA }), `${path}:\n${code}`);
  });

  test('every trigger.json.X an example reads is a field of the real webhook payload', () => {
    const used = new Set(codeBlocks('yaml').flatMap(({ code }) => [...code.matchAll(/trigger\.json\.(\w+)/g)].map((m) => m[1]!)));
    assert.ok(used.size >= 5, `examples use ${[...used]}`);
    for (const field of used) assert.ok(field in real.webhook, `trigger.json.${field} is not in the payload (${Object.keys(real.webhook)})`);
  });

  test('every event field an example reads or filters on is in the real event data', () => {
    for (const { path, code } of codeBlocks('yaml')) {
      const doc = load(code, { schema: HA_SCHEMA }) as { triggers?: Array<{ event_type?: string; event_data?: Record<string, unknown> }> };
      const eventType = doc?.triggers?.find((t) => t.event_type)?.event_type;
      if (!eventType) continue;
      const data = real.events[eventType]!;
      assert.ok(data, `${path}: unknown event ${eventType}`);
      const fields = [
        ...Object.keys(doc.triggers!.find((t) => t.event_data)?.event_data ?? {}),
        ...[...code.matchAll(/trigger\.event\.data\.(\w+)/g)].map((m) => m[1]!),
      ];
      for (const field of fields) assert.ok(field in data, `${path}: ${eventType} has no field '${field}' (${Object.keys(data)})`);
    }
  });

  test('the documented payload table lists exactly the fields the bridge sends', () => {
    const docs = DOCS.find((d) => d.path === 'DOCS.md')!.text;
    const table = docs.slice(docs.indexOf('| Field | Meaning |'), docs.indexOf('### Media'));
    const documented = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(documented, [...new Set([...Object.keys(real.webhook), ...Object.keys(real.reaction)])].sort(), 'a message and a reaction');
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(docs)![1]!);
    assert.deepEqual(Object.keys(example), Object.keys(real.webhook), 'the JSON example has the real fields, in order');
  });

  test('the documented media table lists exactly the fields of media', () => {
    const docs = DOCS.find((d) => d.path === 'DOCS.md')!.text;
    const table = docs.slice(docs.indexOf('| Media field | Meaning |'), docs.indexOf('### Headers'));
    const documented = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(documented, Object.keys(real.media).sort());
    const example = JSON.parse(/### Media[\s\S]*?```json\n([\s\S]*?)```/.exec(docs)![1]!);
    assert.deepEqual(Object.keys(example), Object.keys(real.media), 'the media example has the real fields, in order');
  });

  test('every trigger.event.data.media.X an example reads is a field of media', () => {
    const used = new Set(codeBlocks('yaml').flatMap(({ code }) => [...code.matchAll(/\.media\.(\w+)/g)].map((m) => m[1]!)));
    assert.ok(used.size >= 2, `examples use ${[...used]}`);
    for (const field of used) assert.ok(field in real.media, `media.${field} is not in the payload (${Object.keys(real.media)})`);
  });

  test('the event data is the payload without raw, plus raw_type', () => {
    const { raw: _raw, ...withoutRaw } = real.webhook;
    assert.deepEqual(Object.keys(real.events.whatsapp_message!).sort(), [...Object.keys(withoutRaw), 'raw_type'].sort());
  });

  test('every attribute of event.whatsapp_message an example reads is in the event entity body', () => {
    const used = new Set(codeBlocks('yaml').flatMap(({ code }) => [...code.matchAll(/trigger\.to_state\.attributes\.(\w+)/g)].map((m) => m[1]!)));
    assert.ok(used.size >= 2, `examples use ${[...used]}`);
    const body = JSON.parse(eventEntityBody({ payload: real.webhook as never, rawType: null })!);
    for (const field of used) assert.ok(field in body, `attributes.${field} is not in the event entity body (${Object.keys(body)})`);
  });

  test('the kinds table names each kind, its Home Assistant event and fields the real bodies have', () => {
    const docs = DOCS.find((d) => d.path === 'DOCS.md')!.text;
    const table = docs.slice(docs.indexOf('| Kind | Fires |'), docs.indexOf('```json', docs.indexOf('| Kind | Fires |')));
    const rows = [...table.matchAll(/^\| `(\w+)` \| [^|]+ \| `(\w+)` \| ([^\n]+) \|$/gm)];
    assert.deepEqual(
      rows.map((r) => r[1]),
      ['message', 'media', ...KINDS.slice(1)],
    );
    // A media event needs a real download that outlasts media_wait: media-wait.test.ts checks its row.
    for (const [, kind, eventType, fields] of rows.filter((r) => r[1] !== 'media')) {
      assert.ok(real.events[eventType!], `${kind}: ${eventType} fired`);
      for (const [, field] of fields!.matchAll(/`(\w+)` \(/g)) assert.ok(field! in real.kinds[kind!]!, `${kind} has ${field}`);
    }
    const example = JSON.parse(/\| Kind \| Fires \|[\s\S]*?```json\n([\s\S]*?)```/.exec(docs)![1]!);
    assert.deepEqual(Object.keys(example), Object.keys(real.kinds.edit!), 'the edit example has the real fields, in order');
  });

  test('the rest_command example posts to the message API port with the fields it accepts', () => {
    const block = codeBlocks('yaml').find(({ code }) => code.includes('rest_command:'))!;
    const command = (
      load(block.code, { schema: HA_SCHEMA }) as { rest_command: Record<string, { url: string; payload: string; headers: Record<string, string> }> }
    ).rest_command.whatsapp_send!;
    assert.match(command.url, /^http:\/\/[\w-]+:8080\/api\/send$/);
    const config = load(readFileSync(fileURLToPath(new URL('../../config.yaml', import.meta.url)), 'utf8')) as { ports: Record<string, unknown> };
    assert.ok('8080/tcp' in config.ports);
    for (const field of ['to', 'text', 'reply_to']) assert.match(command.payload, new RegExp(`'${field}'`));
    assert.ok(command.headers.Authorization!.startsWith('secret:'), 'the token comes from secrets.yaml');
  });
});
