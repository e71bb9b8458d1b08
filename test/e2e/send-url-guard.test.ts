import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { samplePng, WaSimulator } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { pairedDaemon } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-url-guard-tests';
const PASSWORD = 'hunter2-secret';

/**
 * The daemon resolves names with the system resolver, as in production. The test controls that
 * resolver without a product switch: the daemon runs in a mount namespace of its own
 * (`unshare -m`) where /etc/hosts is a file of the test's, bound over the real one.
 */
const HOSTS = ['127.0.0.1 camera.example.test', '127.0.0.1 rebind.example.test', '10.1.2.3 lan.example.test', ''].join('\n');
const canUnshare = spawnSync('unshare', ['-m', 'true']).status === 0;

describe('url sends reach only public hosts unless send_url_allow lists them', { skip: canUnshare ? false : 'needs unshare -m (util-linux, as root)' }, () => {
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let daemon: BridgeProcess;
  let server: Server;
  let port: number;
  const requested: string[] = [];
  const png = samplePng(64, 48);

  before(async () => {
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      if (req.url === '/to-ip') return void res.writeHead(302, { Location: `http://127.0.0.1:${port}/secret` }).end();
      if (req.url === '/to-name') return void res.writeHead(302, { Location: `http://rebind.example.test:${port}/secret` }).end();
      if (req.url === '/secret') return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const hosts = join(mkdtempSync(join(tmpdir(), 'wab-hosts-')), 'hosts');
    writeFileSync(hosts, HOSTS);
    sim = await WaSimulator.start({ media: true });
    receiver = await TestReceiver.start();
    sim.contact({ phone: '4917600000071', pushName: 'Alice' });
    daemon = await pairedDaemon({
      sim,
      receiver,
      options: { api_token: TOKEN, send_interval: 0, send_url_allow: ['camera.example.test', '192.168.77.0/24'] },
      env: { NODE_EXTRA_CA_CERTS: sim.media!.caFile },
      wrapper: ['unshare', '-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hosts],
    });
  });
  after(async () => {
    await daemon?.kill('SIGTERM');
    await sim?.stop();
    await receiver?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  async function send(url: string): Promise<{ status: number; error: string; id?: string }> {
    const status = await (await fetch(new URL('api/status', daemon.ingressUrl))).json();
    const res = await fetch(`http://127.0.0.1:${status.api.port}/api/send`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '+4917600000071', image: { url } }),
    });
    const json = (await res.json()) as { error?: string; id?: string };
    return { status: res.status, error: json.error ?? '', id: json.id };
  }

  const refused: Array<[string, () => string, number, RegExp]> = [
    ['loopback by address', () => `http://127.0.0.1:${port}/secret`, 403, /points at 127\.0\.0\.1, a loopback address/],
    ['loopback written as one number', () => `http://2130706433:${port}/secret`, 403, /points at 127\.0\.0\.1, a loopback address/],
    ['IPv6 loopback', () => `http://[::1]:${port}/secret`, 403, /points at ::1, a loopback address/],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port}/secret`, 403, /a loopback address/],
    ['the unspecified address (reaches this machine)', () => `http://0.0.0.0:${port}/secret`, 403, /an unspecified address/],
    ['the cloud metadata address (link-local)', () => 'http://169.254.169.254/latest/meta-data/', 403, /a link-local address/],
    ['a private LAN address', () => 'http://192.168.1.20/snapshot.jpg', 403, /a private network address/],
    ['carrier-grade NAT', () => 'http://100.64.0.1/x.png', 403, /a carrier-grade NAT address/],
    ['an IPv6 unique local address', () => 'http://[fd00::1]/x.png', 403, /a private network address/],
    ['an IPv6 link-local address', () => 'http://[fe80::1]/x.png', 403, /a link-local address/],
    ['a multicast address', () => 'http://224.0.0.1/x.png', 403, /a multicast address/],
    ["Home Assistant's Supervisor", () => 'http://supervisor/core/api/states', 403, /points at supervisor, an internal name/],
    ['the Supervisor by its other name', () => 'http://hassio/addons', 403, /an internal name/],
    ['Home Assistant itself', () => 'http://homeassistant:8123/local/snapshot.jpg', 403, /an internal name/],
    ['another app', () => 'http://core-mosquitto:1883/', 403, /an internal name/],
    ['an app by its internal domain', () => 'http://a0d7b954-nodered.local.hass.io:1880/', 403, /Home Assistant's internal network/],
    ['localhost', () => `http://localhost:${port}/secret`, 403, /this machine itself/],
    [
      'a name that resolves to loopback',
      () => `http://rebind.example.test:${port}/secret`,
      403,
      /rebind\.example\.test, which resolves to 127\.0\.0\.1, a loopback address/,
    ],
    ['a name that resolves to a LAN address', () => 'http://lan.example.test/x.png', 403, /resolves to 10\.1\.2\.3, a private network address/],
    ['an allowed host redirecting to loopback', () => `http://camera.example.test:${port}/to-ip`, 403, /redirects to a URL that points at 127\.0\.0\.1/],
    [
      'an allowed host redirecting to a name that resolves to loopback',
      () => `http://camera.example.test:${port}/to-name`,
      403,
      /redirects to a URL that points at rebind\.example\.test, which resolves to 127\.0\.0\.1/,
    ],
    ['credentials in the URL', () => `http://admin:${PASSWORD}@camera.example.test:${port}/snapshot.png`, 400, /carries a user name or password/],
  ];

  for (const [what, url, status, message] of refused) {
    test(`${what}: ${status}, nothing fetched or sent`, async () => {
      const secretsBefore = requested.filter((path) => path === '/secret').length;
      const requestsBefore = requested.length;
      const sentBefore = sim.recorded.outgoing.length;
      const answer = await send(url());
      assert.equal(answer.status, status, answer.error);
      assert.match(answer.error, message);
      assert.doesNotMatch(answer.error, /\n/, 'one line');
      if (status === 403) assert.match(answer.error, /send_url_allow/, 'names the option that allows it');
      assert.equal(requested.filter((path) => path === '/secret').length, secretsBefore, 'the refused target was not fetched');
      if (!/redirect/.test(what)) assert.equal(requested.length, requestsBefore, 'nothing was fetched');
      assert.equal(sim.recorded.outgoing.length, sentBefore, 'nothing was sent');
    });
  }

  test('the password in a refused URL is in neither the answer nor the log', async () => {
    const answer = await send(`http://admin:${PASSWORD}@camera.example.test:${port}/snapshot.png`);
    assert.equal(answer.status, 400);
    assert.ok(!answer.error.includes(PASSWORD));
    assert.ok(!daemon.lines.some((line) => line.includes(PASSWORD)), 'the log does not carry the password');
  });

  test('a host listed in send_url_allow is fetched, and the file arrives at the contact', async () => {
    const answer = await send(`http://camera.example.test:${port}/snapshot.png`);
    assert.equal(answer.status, 200, answer.error);
    assert.ok(requested.includes('/snapshot.png'));
    const out = await sim.waitForOutgoing((m) => m.id === answer.id);
    assert.ok(sim.media!.download(out.message).equals(png), 'byte-identical');
  });
});
