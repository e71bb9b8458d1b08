import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UrlGuard } from '../src/outgoing/url-guard.js';
import { parseOptions } from '../src/config/options.js';

function guardFor(allow: unknown) {
  const { options, problems } = parseOptions({ send_url_allow: allow });
  return { guard: new UrlGuard(options.sendUrlAllow), problems };
}

/** The refusal's status and message, or null when the URL may be fetched. */
function verdict(guard: UrlGuard, url: string): { status: number; message: string } | null {
  try {
    guard.check(new URL(url), "'image.url'");
    return null;
  } catch (error) {
    return { status: (error as { status: number }).status, message: (error as Error).message };
  }
}

test('by default only public addresses and names with a domain may be fetched', () => {
  const { guard } = guardFor(undefined);
  for (const url of ['https://example.com/a.png', 'http://93.184.215.14/a.png', 'http://[2606:4700::1111]/a.png', 'https://camera.example.org:8443/snap.jpg'])
    assert.equal(verdict(guard, url), null, url);
  const refused: Array<[string, RegExp]> = [
    ['http://10.0.0.5/', /private network/],
    ['http://172.16.0.1/', /private network/],
    ['http://172.30.32.2/', /private network/], // the Supervisor's network
    ['http://192.168.0.1/', /private network/],
    ['http://0.1.2.3/', /unspecified/],
    ['http://127.8.9.10/', /loopback/],
    ['http://[::ffff:10.0.0.1]/', /private network/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://[fc00::1]/', /private network/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://192.0.2.1/', /reserved/],
    ['http://[64:ff9b::7f00:1]/', /reserved|loopback/], // NAT64 of 127.0.0.1
    ['http://supervisor./', /internal name/],
    ['http://HomeAssistant:8123/', /internal name/],
    ['http://app.localhost/', /this machine itself/],
  ];
  for (const [url, reason] of refused) {
    const answer = verdict(guard, url);
    assert.equal(answer?.status, 403, url);
    assert.match(answer!.message, reason, url);
    assert.match(answer!.message, /send_url_allow/);
  }
});

test('send_url_allow lets listed names, addresses and ranges through, and nothing else', () => {
  const { guard, problems } = guardFor(['homeassistant', '192.168.77.0/24', 'FD00::5', '[fe80::1]', 'Camera.Lan.']);
  assert.deepEqual(problems, []);
  for (const url of [
    'http://homeassistant:8123/local/snap.jpg',
    'http://192.168.77.5/',
    'http://[::ffff:192.168.77.9]/',
    'http://[fd00::5]/',
    'http://[fe80::1]/',
    'http://camera.lan/x',
  ])
    assert.equal(verdict(guard, url), null, url);
  for (const url of ['http://192.168.78.5/', 'http://supervisor/', 'http://[fd00::6]/']) assert.equal(verdict(guard, url)?.status, 403, url);
});

test('credentials are refused without echoing them; wrong allow entries are named and dropped', () => {
  const { guard, problems } = guardFor(['camera.lan', 'not a host', 42, '10.0.0.0/33']);
  const answer = verdict(guard, 'http://admin:s3cret@camera.lan/x.jpg');
  assert.equal(answer?.status, 400);
  assert.doesNotMatch(answer!.message, /s3cret|admin/);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /"not a host", 42, "10\.0\.0\.0\/33" are none of them/);
  assert.match(guardFor('camera.lan').problems[0]!.message, /must be a list/);
});
