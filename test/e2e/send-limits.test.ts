import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getBinaryNodeChild } from '@whiskeysockets/baileys';
import { WaSimulator } from '../../simulator/index.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { pairedDaemon } from '../support/paired-bridge.js';
import { sleep } from '../../simulator/waits.js';

const TOKEN = 'api-token-for-the-limit-tests';
const MB = 1024 * 1024;
/** The daemon's bound on files downloaded or decoded at once (src/bridge.ts). */
const FILES_LOADED_AT_ONCE = 2;

/** A paired daemon with its own TMPDIR (standard Node: os.tmpdir()), so its temporary files can be counted. */
async function daemonWith(options: Record<string, unknown>) {
  const sim = await WaSimulator.start({ media: true });
  const receiver = await TestReceiver.start();
  sim.contact({ phone: '4917600000081', pushName: 'Alice' });
  const temp = mkdtempSync(join(tmpdir(), 'wab-daemon-tmp-'));
  const daemon = await pairedDaemon({
    sim,
    receiver,
    options: { api_token: TOKEN, ...options },
    env: { NODE_EXTRA_CA_CERTS: sim.media!.caFile, TMPDIR: temp },
  });
  const status = await (await fetch(new URL('api/status', daemon.ingressUrl))).json();
  const apiUrl = `http://127.0.0.1:${status.api.port}/api/send`;
  return {
    sim,
    daemon,
    /** The send's temporary files (downloads, decoded base64) in the daemon's TMPDIR. */
    sendFiles: () => readdirSync(temp).filter((name) => name.startsWith('wab-send-')).length,
    send: async (body: string | Record<string, unknown>) => {
      const res = await fetch(apiUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as { id?: string; error?: string } };
    },
    /** WhatsApp number look-ups (onWhatsApp: a usync iq with a contact query) the simulator answered. */
    lookups: () =>
      sim.recorded.iqs.filter((iq) => iq.xmlns === 'usync' && getBinaryNodeChild(getBinaryNodeChild(getBinaryNodeChild(iq.node, 'usync'), 'query'), 'contact'))
        .length,
    async close() {
      await daemon.kill('SIGTERM');
      await sim.stop();
      await receiver.close();
    },
  };
}

/** Calls `probe` every 20 ms until `stop` is called; returns the largest value seen. */
function sample(probe: () => number): { stop(): number } {
  let max = probe();
  const timer = setInterval(() => (max = Math.max(max, probe())), 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, probe());
    },
  };
}

describe('limits come before the work: refused sends cost no look-up and no download', () => {
  let d: Awaited<ReturnType<typeof daemonWith>>;
  let server: Server;
  let fileUrl: string;
  let downloads = 0;
  const big = randomBytes(20 * MB);

  before(async () => {
    server = createServer((_req, res) => {
      downloads++;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': big.length }).end(big);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/camera.bin`;
    d = await daemonWith({ send_interval: 1, send_url_allow: ['127.0.0.1'], media_max_size: 32 });
  });
  after(async () => {
    await d?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a burst of 40 texts: the ones over the queue bound are 429 and made no number look-up', async () => {
    const before = d.lookups();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => d.send({ to: '+4917600000081', text: `burst ${i}` })));
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429);
    console.log(`# burst of 40 texts: ${ok} sent, ${refused.length} refused (429), ${d.lookups() - before} number look-ups`);
    assert.equal(ok + refused.length, 40, JSON.stringify(answers.find((a) => a.status !== 200 && a.status !== 429)));
    assert.ok(refused.length >= 28, `${refused.length} refused`);
    assert.match(refused[0]!.json.error!, /Too many messages waiting/);
    assert.equal(d.lookups() - before, ok, 'one look-up per accepted send, none for a refused one');
  });

  test('30 concurrent 20 MB url sends: the refused ones download nothing, at most 2 files on disk at once', async () => {
    const before = downloads;
    const files = sample(d.sendFiles);
    const answers = await Promise.all(Array.from({ length: 30 }, () => d.send({ to: '+4917600000081', document: { url: fileUrl }, file_name: 'camera.bin' })));
    const maxFiles = files.stop();
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429).length;
    console.log(`# 30 url sends of 20 MB: ${ok} sent, ${refused} refused (429), ${downloads - before} downloads, at most ${maxFiles} temporary files at once`);
    assert.equal(ok + refused, 30, JSON.stringify(answers.find((a) => a.status !== 200 && a.status !== 429)));
    assert.ok(refused >= 18, `${refused} refused`);
    assert.equal(downloads - before, ok, 'one download per accepted send, none for a refused one');
    assert.ok(maxFiles <= FILES_LOADED_AT_ONCE, `${maxFiles} temporary files at once`);
    assert.equal(d.sendFiles(), 0, 'every temporary file is removed');
  });
});

describe('four concurrent 60 MB base64 sends stay within about 100 MB of resident memory at rest', () => {
  let d: Awaited<ReturnType<typeof daemonWith>>;
  before(async () => {
    d = await daemonWith({ send_interval: 0 });
  });
  after(() => d?.close());

  test('all four arrive byte-identical; RSS and temporary files stay bounded', async () => {
    // Warm up: the first file loads the type detection and Baileys' media code.
    assert.equal((await d.send({ to: '+4917600000081', document: { base64: randomBytes(1000).toString('base64') } })).status, 200);
    await sleep(1000);
    const rest = d.daemon.rss();
    const data = randomBytes(60 * MB);
    const body = JSON.stringify({ to: '+4917600000081', document: { base64: data.toString('base64') }, file_name: 'big.bin' });
    const rss = sample(() => d.daemon.rss());
    const files = sample(d.sendFiles);
    const answers = await Promise.all(Array.from({ length: 4 }, () => d.send(body)));
    const [peak, maxFiles] = [rss.stop(), files.stop()];
    console.log(
      `# 4 x 60 MB base64: RSS ${Math.round(rest / MB)} MB at rest, ${Math.round(peak / MB)} MB at most (+${Math.round((peak - rest) / MB)} MB); at most ${maxFiles} temporary files at once`,
    );
    for (const answer of answers) assert.equal(answer.status, 200, answer.json.error);
    const digest = createHash('sha256').update(data).digest('hex');
    for (const answer of answers) {
      const out = await d.sim.waitForOutgoing((m) => m.id === answer.json.id, 30_000);
      assert.equal(createHash('sha256').update(d.sim.media!.download(out.message)).digest('hex'), digest);
    }
    assert.ok(maxFiles <= FILES_LOADED_AT_ONCE, `${maxFiles} temporary files at once`);
    assert.ok(peak - rest < 110 * MB, `RSS grew by ${Math.round((peak - rest) / MB)} MB`);
  });
});
