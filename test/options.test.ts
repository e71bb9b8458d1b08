import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOptions as loadOptionsIn, parseOptions } from '../src/config/options.js';

const underSupervisor = { supervisorAvailable: true };
const loadOptions = (path: string) => loadOptionsIn(path, underSupervisor);

function optionsFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wab-options-'));
  const path = join(dir, 'options.json');
  writeFileSync(path, content);
  return path;
}

test('valid options are parsed into the typed object', () => {
  const { options, problems } = loadOptions(
    optionsFile(
      JSON.stringify({
        webhook_enabled: true,
        webhook_url: 'http://homeassistant:8123/api/webhook/abc',
        webhook_token: 't0k',
        log_level: 'warning',
        forward_groups: false,
        forward_own_messages: true,
      }),
    ),
  );
  assert.deepEqual(problems, []);
  assert.ok(options.webhook.state === 'on');
  assert.equal(options.webhook.url.href, 'http://homeassistant:8123/api/webhook/abc');
  assert.equal(options.webhook.token, 't0k');
  assert.equal(options.logLevel, 'warning');
  assert.equal(options.forwardGroups, false);
  assert.equal(options.forwardOwnMessages, true);
});

test('the Supervisor defaults (optional options absent) give a disabled webhook and no problem', () => {
  const { options, problems } = parseOptions({ webhook_enabled: false, log_level: 'info', forward_groups: true, forward_own_messages: false });
  assert.deepEqual(problems, []);
  assert.deepEqual(options.webhook, { state: 'off' });
});

const broken: Array<[string, string, RegExp]> = [
  ['a missing file', '', /does not exist.*Configuration tab/],
  ['invalid JSON', '{"webhook_enabled": tru', /not valid JSON/],
  ['a JSON list', '[1,2]', /must hold a JSON object/],
  ['a wrong type', JSON.stringify({ webhook_enabled: 'yes' }), /Option 'webhook_enabled' must be true or false, not "yes"/],
  [
    'an invalid URL',
    JSON.stringify({ webhook_enabled: true, webhook_url: 'homeassistant:8123 /hook' }),
    /Option 'webhook_url' .*is not a URL|must start with http/,
  ],
  [
    'a non-http URL',
    JSON.stringify({ webhook_enabled: true, webhook_url: 'ftp://example.com/x' }),
    /Option 'webhook_url' must start with http:\/\/ or https:\/\//,
  ],
  ['enabled without a URL', JSON.stringify({ webhook_enabled: true }), /Option 'webhook_url' is empty but 'webhook_enabled' is on/],
  ['an unknown log level', JSON.stringify({ log_level: 'verbose' }), /Option 'log_level' must be one of trace, debug, info, warning, error, not "verbose"/],
  ['a token that is not text', JSON.stringify({ webhook_enabled: true, webhook_url: 'http://x/y', webhook_token: 42 }), /Option 'webhook_token' must be text/],
];

for (const [what, content, message] of broken) {
  test(`${what} gives one clear line and a disabled webhook`, () => {
    const path = what === 'a missing file' ? join(tmpdir(), 'wab-nothing-here', 'options.json') : optionsFile(content);
    const { options, problems } = loadOptions(path);
    assert.equal(problems.length, 1, `expected exactly one problem, got ${JSON.stringify(problems)}`);
    assert.match(problems[0]!.message, message);
    assert.doesNotMatch(problems[0]!.message, /\n/, 'one line');
    assert.notEqual(options.webhook.state, 'on');
  });
}

test('an unreadable file is reported as such', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, () => {
  const path = optionsFile('{}');
  chmodSync(path, 0o000);
  const { problems } = loadOptions(path);
  assert.match(problems[0]!.message, /cannot be read/);
});

test('a bad non-webhook option keeps the webhook on and falls back to the default', () => {
  const { options, problems } = parseOptions({ webhook_enabled: true, webhook_url: 'https://example.com/h', forward_groups: 'no' });
  assert.equal(problems.length, 1);
  assert.equal(options.webhook.state, 'on');
  assert.equal(options.forwardGroups, true);
});

test('secrets never appear in problem messages', () => {
  const { problems } = parseOptions({ webhook_enabled: true, webhook_url: 'nope', webhook_token: 'SUPERSECRET', webhook_secret: 'whsec_SECRET2' });
  assert.ok(problems.length > 0);
  for (const p of problems) assert.doesNotMatch(p.message, /SUPERSECRET|SECRET2/);
});

test("a webhook option that needs fixing makes the webhook 'invalid', not 'off'", () => {
  assert.equal(parseOptions({ webhook_enabled: true, webhook_url: 'ftp://example.com/x' }).options.webhook.state, 'invalid');
  assert.equal(parseOptions({ webhook_enabled: true }).options.webhook.state, 'invalid');
  assert.equal(parseOptions({ webhook_enabled: false, webhook_url: 'ftp://example.com/x' }).options.webhook.state, 'invalid');
});

test('ha_event_enabled without a Supervisor is a recorded problem and events stay off', () => {
  const { options, problems } = parseOptions({ ha_event_enabled: true }, { supervisorAvailable: false });
  assert.equal(options.haEventEnabled, false);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.option, 'ha_event_enabled');
  assert.match(problems[0]!.message, /needs Home Assistant's Supervisor.*events are off/);
  assert.equal(parseOptions({ ha_event_enabled: true }, { supervisorAvailable: true }).options.haEventEnabled, true);
});

test('the MQTT broker, decided when the options are read: the one in mqtt_host, wherever the app runs', () => {
  for (const supervisorAvailable of [true, false]) {
    const { options, problems } = parseOptions(
      { mqtt_host: ' 192.168.1.10 ', mqtt_port: 1884, mqtt_username: 'u', mqtt_password: 'p' },
      { supervisorAvailable },
    );
    assert.deepEqual(options.mqtt.broker, { from: 'options', host: '192.168.1.10', port: 1884, username: 'u', password: 'p' });
    assert.deepEqual(problems, []);
  }
});

test("the MQTT broker, decided when the options are read: without mqtt_host, the Supervisor's service", () => {
  const { options, problems } = parseOptions({ mqtt_enabled: true }, { supervisorAvailable: true });
  assert.deepEqual(options.mqtt.broker, { from: 'supervisor' });
  assert.deepEqual(problems, []);
});

test('the MQTT broker, decided when the options are read: no Supervisor and no mqtt_host is none, with what to set, and no option problem', () => {
  // mqtt_enabled is on by default: a problem line would greet every user outside Home Assistant who never asked for MQTT.
  for (const raw of [{}, { mqtt_enabled: true }]) {
    const { options, problems } = parseOptions(raw, { supervisorAvailable: false });
    assert.equal(options.mqtt.broker.from, 'none');
    assert.match((options.mqtt.broker as { reason: string }).reason, /^no broker: set 'mqtt_host' .*or turn 'mqtt_enabled' off$/);
    assert.deepEqual(problems, []);
  }
  // A wrong mqtt_host says what happens instead where the app runs.
  const wrong = parseOptions({ mqtt_host: 'mqtt://broker' }, { supervisorAvailable: false });
  assert.equal(wrong.options.mqtt.broker.from, 'none');
  assert.match(wrong.problems[0]!.message, /^Option 'mqtt_host' must be a host name or address .*; no broker is used\.$/);
  assert.match(parseOptions({ mqtt_host: 'mqtt://broker' }).problems[0]!.message, /; using the Supervisor's broker\.$/);
});

test('an api_token shorter than 16 characters is refused with the reason, and a generated token is used', () => {
  const short = parseOptions({ api_token: 'tooshort' });
  assert.deepEqual(short.options.apiToken, { source: 'refused', reason: 'it is shorter than 16 characters' });
  assert.equal(short.problems.length, 1);
  assert.match(short.problems[0]!.message, /Option 'api_token' was refused because it is shorter than 16 characters; .*generated token/);
  assert.doesNotMatch(short.problems[0]!.message, /tooshort/, 'the refused token is not echoed');
  assert.deepEqual(parseOptions({ api_token: 'a-long-enough-token-1234' }).options.apiToken, { source: 'option', value: 'a-long-enough-token-1234' });
  assert.deepEqual(parseOptions({}).options.apiToken, { source: 'generated' });
});

test('a secret of the wrong type is not echoed', () => {
  const { problems } = parseOptions({ webhook_enabled: true, webhook_url: 'http://x/y', webhook_token: 12345678 });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /Option 'webhook_token' must be text, not a number/);
  assert.doesNotMatch(problems[0]!.message, /12345678/);
});

test('an unparsable webhook_url is not echoed (it may hold a password), and no value is echoed at length', () => {
  const { problems } = parseOptions({ webhook_enabled: true, webhook_url: 'http://user:hunter2-SECRET@home assistant:8123/hook' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /Option 'webhook_url' is not a URL\. Write the full address/);
  assert.doesNotMatch(problems[0]!.message, /hunter2|SECRET|user:/);
  const huge = parseOptions({ log_level: 'x'.repeat(10 * 1024 * 1024) });
  assert.ok(huge.problems[0]!.message.length < 300, `${huge.problems[0]!.message.length} characters`);
  assert.match(huge.problems[0]!.message, /not "x{40}…"/);
  const noScheme = parseOptions({ webhook_enabled: true, webhook_url: '192.168.1.5 8123/hook' });
  assert.match(noScheme.problems[0]!.message, /is not a URL \(it does not start with http:\/\/ or https:\/\/\)/);
});

test('a webhook_url that points at the app itself is refused, the webhook stays off', () => {
  const own = { supervisorAvailable: true, ownAddress: { hosts: ['localhost', '127.0.0.1', '::1', 'local-whatsapp-bridge'], ports: [8099, 8080] } };
  for (const url of ['http://127.0.0.1:8099/api/webhook/test', 'http://localhost:8080/api/send', 'http://[::1]:8099/', 'http://LOCAL-whatsapp-bridge:8080/x']) {
    const { options, problems } = parseOptions({ webhook_enabled: true, webhook_url: url }, own);
    assert.equal(options.webhook.state, 'invalid', url);
    assert.match(problems[0]?.message ?? '', /points at this app itself/, url);
  }
  for (const url of ['http://homeassistant:8123/api/webhook/x', 'http://127.0.0.1:8000/hook', 'http://local-whatsapp-bridge:9000/']) {
    assert.equal(parseOptions({ webhook_enabled: true, webhook_url: url }, own).options.webhook.state, 'on', url);
  }
});

test('webhook_events: the default is message only; a list picks the kinds; a wrong entry is one line naming the valid ones', () => {
  assert.deepEqual([...parseOptions({}).options.webhookEvents], ['message']);
  const all = parseOptions({ webhook_events: ['message', 'edit', 'delete', 'status', 'connection'] });
  assert.deepEqual(all.problems, []);
  assert.deepEqual([...all.options.webhookEvents], ['message', 'edit', 'delete', 'status', 'connection']);

  const typo = parseOptions({ webhook_events: ['message', 'edits'] });
  assert.deepEqual([...typo.options.webhookEvents], ['message'], 'the valid entries are kept');
  assert.equal(typo.problems.length, 1);
  assert.equal(
    typo.problems[0]!.message,
    `Option 'webhook_events' may list only message, media, edit, delete, status, connection, assist; "edits" is not one of them; using message.`,
  );
  assert.match(
    parseOptions({ webhook_events: [] }).problems[0]!.message,
    /is empty: list at least one of message, media, edit, delete, status, connection, assist; using message/,
  );
  assert.match(parseOptions({ webhook_events: 'edit' }).problems[0]!.message, /must be a list of message, media, edit/);
  assert.deepEqual([...parseOptions({ webhook_events: ['reactions'] }).options.webhookEvents], ['message'], 'nothing valid: the default');
});

test('media_wait: 30 s by default, 0-600 s; a wrong value is one line and the default', () => {
  assert.equal(parseOptions({}).options.media.waitMs, 30_000);
  assert.equal(parseOptions({ media_wait: 0 }).options.media.waitMs, 0);
  assert.equal(parseOptions({ media_wait: 2.5 }).options.media.waitMs, 2_500);
  const wrong = parseOptions({ media_wait: 601 });
  assert.equal(wrong.options.media.waitMs, 30_000);
  assert.deepEqual(
    wrong.problems.map((p) => p.message),
    ["Option 'media_wait' must be a number from 0 to 600, not 601; using 30."],
  );
});
