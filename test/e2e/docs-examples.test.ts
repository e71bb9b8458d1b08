import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, defineScalarTag, load } from 'js-yaml';
import { fakeSupervisor } from '../support/fake-supervisor.js';
import { pairedBridge } from '../support/paired-bridge.js';

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

const real: { webhook: Record<string, unknown>; message: Record<string, unknown>; connection: Record<string, unknown>; media: Record<string, unknown> } = {
  webhook: {},
  message: {},
  connection: {},
  media: {},
};

before(async () => {
  const supervisor = await fakeSupervisor();
  // media_download off: the image below has made-up keys, and its `media` has the same fields either way.
  const { sim, receiver, close } = await pairedBridge({ options: { ha_event_enabled: true, media_download: false }, env: supervisor.env });
  try {
    const alice = sim.contact({ phone: '4917600000071', pushName: 'Alice' });
    const original = await sim.sendText(alice, 'garage');
    await sim.sendMessage(alice, {
      extendedTextMessage: {
        text: 'and the lights?',
        contextInfo: { stanzaId: original.id, participant: alice.jid, quotedMessage: { conversation: 'garage' } },
      },
    });
    const bytes = new Uint8Array(32);
    await sim.sendMessage(alice, {
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
    await receiver.waitForCount(3);
    await supervisor.receiver.waitFor(() => supervisor.events('whatsapp_message').length >= 2);
    real.webhook = receiver.accepted[1];
    real.media = receiver.accepted[2].media;
    real.message = supervisor.events('whatsapp_message')[0];
    real.connection = supervisor.events('whatsapp_bridge_connection')[0];
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
      const data = eventType === 'whatsapp_bridge_connection' ? real.connection : real.message;
      assert.ok(['whatsapp_message', 'whatsapp_bridge_connection'].includes(eventType), `${path}: unknown event ${eventType}`);
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
    assert.deepEqual(documented, Object.keys(real.webhook).sort());
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
    assert.deepEqual(Object.keys(real.message).sort(), [...Object.keys(withoutRaw), 'raw_type'].sort());
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
