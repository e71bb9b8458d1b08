import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HOSTILE_FILE_NAMES, HOSTILE_MIMETYPES, markupAsImage, sampleHtml, samplePdf, samplePng, sampleSvg, type Contact } from '../../simulator/index.js';
import { MEDIA_API_TOKEN, mediaBridge, type MediaBridge } from '../support/media-bridge.js';

const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const ALICE = '4917600000071';
const BOB = '4917600000072';
const jid = (phone: string) => `${phone}@s.whatsapp.net`;

describe('a hostile contact: nothing a message carries takes the app down or reaches another chat', () => {
  let s: MediaBridge;
  let alice: Contact;
  let bob: Contact;
  let pid: number;

  before(async () => {
    s = await mediaBridge();
    alice = s.sim.contact({ phone: ALICE, pushName: 'Alice' });
    bob = s.sim.contact({ phone: BOB, pushName: 'Mallory' });
    pid = s.daemon.child.pid!;
  });
  after(() => s.close());

  /** The payload of message `id` in `chat` (two chats may use one id). */
  async function payloadIn(chat: string, id: string): Promise<any> {
    const match = (p: any) => p.id === id && p.chat === chat;
    await s.receiver.waitFor(() => s.receiver.accepted.some(match), 15_000, `payload of ${id} in ${chat}`);
    return s.receiver.accepted.find(match);
  }

  /** GETs a path on the message API with the token. */
  async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(new URL(path, await s.apiUrl()), { headers: { Authorization: `Bearer ${MEDIA_API_TOKEN}`, ...headers } });
  }
  const pathOf = (url: string) => new URL(url).pathname;

  async function stillUp(): Promise<void> {
    assert.equal(s.daemon.child.exitCode, null, 'the daemon is still running');
    assert.equal(s.daemon.child.pid, pid, 'the same process');
    const health = await get('/api/health');
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
  }

  function assertSafeHeaders(res: Response, contentType: string, disposition: string): void {
    assert.equal(res.headers.get('content-type'), contentType);
    assert.equal(res.headers.get('content-disposition'), disposition);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-injected'), null, 'no header of the sender');
  }

  for (const [name, mimetype] of Object.entries(HOSTILE_MIMETYPES)) {
    test(`a document declared as ${JSON.stringify(mimetype)} is served as application/octet-stream, attachment (${name})`, async () => {
      const data = randomBytes(3_000);
      const { id } = await s.sim.sendMedia(alice, { kind: 'document', data, mimetype, fileName: 'data.bin' });
      const p = await payloadIn(jid(ALICE), id);
      assert.equal(p.media.mimetype, 'application/octet-stream', 'the payload carries the safe form');
      const res = await get(pathOf(p.media.url));
      assert.equal(res.status, 200);
      assertSafeHeaders(res, 'application/octet-stream', `attachment; filename="data.bin"; filename*=UTF-8''data.bin`);
      assert.equal(hex(Buffer.from(await res.arrayBuffer())), hex(data));
      await stillUp();
    });
  }

  test('a PDF declared with a line break or a non-ASCII parameter is served as application/pdf, with its UTF-8 name', async () => {
    const pdf = samplePdf();
    const injected = await s.sim.sendMedia(alice, { kind: 'document', data: pdf, mimetype: HOSTILE_MIMETYPES.crlf, fileName: 'Rechnung.pdf' });
    const euro = await s.sim.sendMedia(alice, { kind: 'document', data: pdf, mimetype: HOSTILE_MIMETYPES.nonAscii, fileName: HOSTILE_FILE_NAMES.nonAscii });
    for (const [id, disposition] of [
      [injected.id, `attachment; filename="Rechnung.pdf"; filename*=UTF-8''Rechnung.pdf`],
      [euro.id, `attachment; filename="Rechnung _.pdf"; filename*=UTF-8''Rechnung%20%E2%82%AC.pdf`],
    ] as const) {
      const p = await payloadIn(jid(ALICE), id);
      assert.equal(p.media.mimetype, 'application/pdf', 'the type the bytes show');
      assert.match(p.media.path, /\.pdf$/);
      // Twice: a crash on the first GET came back after each restart.
      for (let i = 0; i < 2; i++) {
        const res = await get(pathOf(p.media.url));
        assert.equal(res.status, 200);
        assertSafeHeaders(res, 'application/pdf', disposition);
        assert.equal(hex(Buffer.from(await res.arrayBuffer())), hex(pdf));
      }
    }
    await stillUp();
  });

  test('document names with traversal, control characters, quotes or a bidi override stay inside the folder and out of the headers', async () => {
    const expected: Record<keyof typeof HOSTILE_FILE_NAMES, string> = {
      traversal: `attachment; filename="evil.pdf"; filename*=UTF-8''evil.pdf`,
      windowsTraversal: `attachment; filename="boot.pdf"; filename*=UTF-8''boot.pdf`,
      controls: `attachment; filename="invoiceX-Injected: yes.pdf"; filename*=UTF-8''invoiceX-Injected%3A%20yes.pdf`,
      quotes: `attachment; filename="a_; filename=_evil.pdf"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.pdf`,
      bidiOverride: `attachment; filename="invoice_fdp.pdf"; filename*=UTF-8''invoice_fdp.pdf`,
      nonAscii: `attachment; filename="Rechnung _.pdf"; filename*=UTF-8''Rechnung%20%E2%82%AC.pdf`,
    };
    const pdf = samplePdf();
    for (const [name, fileName] of Object.entries(HOSTILE_FILE_NAMES) as Array<[keyof typeof HOSTILE_FILE_NAMES, string]>) {
      const { id } = await s.sim.sendMedia(alice, { kind: 'document', data: pdf, fileName, mimetype: 'application/pdf' });
      const p = await payloadIn(jid(ALICE), id);
      assert.equal(p.media.file_name, fileName, "file_name keeps the sender's name (JSON carries it safely)");
      const inside = relative(s.mediaFolder, p.media.path);
      assert.match(inside, new RegExp(`^${ALICE}/\\d{4}-\\d{2}-\\d{2}_${id}_[A-Za-z0-9_-]+\\.pdf$`), `${name}: ${inside}`);
      const res = await get(pathOf(p.media.url));
      assert.equal(res.status, 200, name);
      assertSafeHeaders(res, 'application/pdf', expected[name]);
      assert.equal(hex(Buffer.from(await res.arrayBuffer())), hex(pdf));
    }
    await stillUp();
  });

  test('an SVG or HTML page sent as a photo is stored and served as what it is: an attachment named .txt', async () => {
    for (const [data, type, ext] of [
      [sampleSvg(), 'image/svg+xml', 'svg.txt'],
      [sampleHtml(), 'text/html', 'html.txt'],
    ] as const) {
      const { id } = await s.sim.sendMedia(alice, markupAsImage(data));
      const p = await payloadIn(jid(ALICE), id);
      assert.equal(p.media.mimetype, type);
      const saved = basename(p.media.path);
      assert.match(saved, new RegExp(`^\\d{4}-\\d{2}-\\d{2}_${id}\\.${ext.replace('.', '\\.')}$`));
      assert.deepEqual(readFileSync(p.media.path), data);
      const res = await get(pathOf(p.media.url));
      assert.equal(res.status, 200);
      assertSafeHeaders(res, type, `attachment; filename="${saved}"; filename*=UTF-8''${saved}`);
      assert.equal(hex(Buffer.from(await res.arrayBuffer())), hex(data));
    }
  });

  test('a PNG declared as text/html is a PNG, shown inline', async () => {
    const png = samplePng();
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data: png, mimetype: 'text/html' });
    const p = await payloadIn(jid(ALICE), id);
    assert.equal(p.media.mimetype, 'image/png');
    const saved = basename(p.media.path);
    assert.match(saved, /\.png$/);
    const res = await get(pathOf(p.media.url));
    assertSafeHeaders(res, 'image/png', `inline; filename="${saved}"; filename*=UTF-8''${saved}`);
    assert.equal(hex(Buffer.from(await res.arrayBuffer())), hex(png));
  });

  test("a message id reused by another contact does not take over the first contact's media.url", async () => {
    const mine = samplePng();
    const theirs = randomBytes(2_000);
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data: mine, mimetype: 'image/png' });
    const first = await payloadIn(jid(ALICE), id);
    await s.sim.sendMedia(bob, { kind: 'document', data: theirs, fileName: 'swap.bin', mimetype: 'application/octet-stream' }, { id });
    const second = await payloadIn(jid(BOB), id);
    assert.equal(first.media.url.endsWith(`/api/media/${encodeURIComponent(jid(ALICE))}/${id}`), true, first.media.url);
    assert.notEqual(first.media.url, second.media.url);
    const a = await get(pathOf(first.media.url));
    assert.equal(hex(Buffer.from(await a.arrayBuffer())), hex(mine), "alice's url serves alice's file");
    const b = await get(pathOf(second.media.url));
    assert.equal(hex(Buffer.from(await b.arrayBuffer())), hex(theirs), "bob's url serves bob's file");
    const old = await get(`/api/media/${id}`);
    assert.equal(old.status, 410);
    assert.match((await old.json()).error, /media\.url/);
    assert.equal((await get(`/api/media/${encodeURIComponent(jid('4917600000099'))}/${id}`)).status, 404, 'a chat without that id');
  });

  test('Range: a part is 206; one outside the file is 416 with the size', async () => {
    const data = randomBytes(1_000);
    const { id } = await s.sim.sendMedia(alice, { kind: 'document', data, fileName: 'r.bin' });
    const url = pathOf((await payloadIn(jid(ALICE), id)).media.url);
    const part = await get(url, { Range: 'bytes=10-19' });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(10, 20));
    const outside = await get(url, { Range: 'bytes=5000-' });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), 'bytes */1000');
    assert.equal(outside.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.match((await outside.json()).error, /outside the file \(1000 bytes\)/);
  });

  test('a bad %-escape is a 400 that says so; a text/plain send is 415', async () => {
    const bad = await get('/api/media/%E0%A4%A/x');
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /bad %-escape/);
    const plain = await fetch(new URL('api/send', await s.apiUrl()), {
      method: 'POST',
      headers: { Authorization: `Bearer ${MEDIA_API_TOKEN}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ to: ALICE, text: 'hi' }),
    });
    assert.equal(plain.status, 415);
    assert.match((await plain.json()).error, /Content-Type: application\/json/);
  });

  test('413 names real sizes: the request, and a sticker over WhatsApp limit', async () => {
    const api = new URL(await s.apiUrl());
    // The length is refused from the header, before any of the body is read.
    const tooLarge = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(
        new URL('api/send', api),
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${MEDIA_API_TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': String(150_000_000) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            req.destroy(); // the rest of the body is never sent
            resolve({ status: res.statusCode!, body: JSON.parse(text) });
          });
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.write('{"to": "');
    });
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.body.error, /^The request is 143\.1 MB; at most 134\.3 MB: /);
    // By path: a base64 one is refused by its length before it is decoded.
    const big = join(s.mediaFolder, 'big-sticker.webp');
    writeFileSync(big, Buffer.alloc(Math.round(1.14 * 1024 * 1024), 7));
    const sticker = await s.send({ to: ALICE, sticker: { path: big }, mimetype: 'image/webp' });
    assert.equal(sticker.status, 413);
    assert.match(sticker.json.error, /^The sticker is 1\.1 MB; WhatsApp takes at most 1 MB/);
  });

  test('unknown paths are JSON 404s on the message API and on the page', async () => {
    for (const url of [new URL('/no/such/thing', await s.apiUrl()), new URL('no/such/thing', s.daemon.ingressUrl)]) {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${MEDIA_API_TOKEN}` } });
      assert.equal(res.status, 404, String(url));
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.match((await res.json()).error, /^Unknown path GET \/no\/such\/thing: /);
    }
  });

  test('a file the app cannot read is a 500 with one line, the log names the request, and the app stays up', async () => {
    const { id } = await s.sim.sendMedia(alice, { kind: 'document', data: randomBytes(500), fileName: 'gone.bin' });
    const p = await payloadIn(jid(ALICE), id);
    // Someone made the saved file a folder: reading it fails (EISDIR), not an answer the route expects.
    rmSync(p.media.path);
    mkdirSync(p.media.path);
    const res = await get(pathOf(p.media.url));
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.doesNotMatch(text.trim(), /\n/);
    assert.match(JSON.parse(text).error, /its log says why/);
    const line = await s.daemon.waitForLog(/Message API: GET \/api\/media\/[^ ]+ failed: EISDIR/);
    assert.ok(line.includes(`/api/media/${encodeURIComponent(jid(ALICE))}/${id}`), line);
    assert.doesNotMatch(line, new RegExp(MEDIA_API_TOKEN));
    rmSync(p.media.path, { recursive: true });
    await stillUp();
  });
});
