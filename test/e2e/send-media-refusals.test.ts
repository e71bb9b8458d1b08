import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

const TOKEN = 'api-token-for-the-media-tests';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A file server on 127.0.0.1 for `url` sources: /png, /big (2 MB), /declared-huge, /chunked-big, /missing (404), /loop (endless redirects). */
async function fileServer(): Promise<{ url: (path: string) => string; close(): Promise<void> }> {
  let hops = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/png') return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
    if (req.url === '/big') return void res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024, 1));
    // Declares 50 MB and sends none of it: only a check of the header answers before the 30 s deadline.
    if (req.url === '/declared-huge') return void res.writeHead(200, { 'Content-Length': 50 * 1024 * 1024 }).flushHeaders();
    if (req.url === '/chunked-big') {
      res.writeHead(200); // no Content-Length: chunked, cut off at the limit while streaming
      const chunk = Buffer.alloc(64 * 1024, 2);
      const more = () => {
        for (let i = 0; i < 8 && !res.destroyed; i++) res.write(chunk);
        if (!res.destroyed) setTimeout(more, 5);
      };
      return more();
    }
    if (req.url?.startsWith('/loop')) return void res.writeHead(302, { Location: `/loop${++hops}` }).end();
    res.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('sending media: every refusal is a 4xx/502 JSON error that says what to fix, and nothing is sent', () => {
  let s: BridgeWithReceiver;
  let files: Awaited<ReturnType<typeof fileServer>>;
  let mediaFolder: string;
  const alice = '+4917600000001';

  before(async () => {
    mediaFolder = mkdtempSync(join(tmpdir(), 'wab-media-folder-'));
    mkdirSync(join(mediaFolder, 'snapshots'));
    writeFileSync(join(mediaFolder, 'snapshots', 'door.png'), PNG);
    writeFileSync(join(mediaFolder, 'snapshots', 'invoice.pdf'), PDF);
    symlinkSync('/etc/passwd', join(mediaFolder, 'snapshots', 'sneaky.png'));
    s = await pairedBridge({ options: { api_token: TOKEN, media_folder: mediaFolder, media_max_size: 1, send_interval: 60, send_url_allow: ['127.0.0.1'] } });
    s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    files = await fileServer();
  });
  after(async () => {
    await files.close();
    await s.close();
  });

  async function send(body: Record<string, unknown>): Promise<{ status: number; error: string }> {
    const res = await fetch(new URL('api/send', s.bridge.apiUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: alice, ...body }),
    });
    const json = (await res.json()) as { error?: string; id?: string };
    return { status: res.status, error: json.error ?? `(no error; id ${json.id})` };
  }

  const refusals: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['a path outside the allowed folders', { image: { path: '/etc/passwd' } }, 403, /must be a file inside \/media, \/share, /],
    ['an escape with ../', { image: { path: 'MEDIA/snapshots/../../../etc/passwd' } }, 403, /must be a file inside/],
    ['a symbolic link out of the folder', { image: { path: 'MEDIA/snapshots/sneaky.png' } }, 403, /must be a file inside/],
    ['a relative path', { image: { path: 'snapshots/door.png' } }, 403, /must be a file inside/],
    ['a missing file inside the folder', { image: { path: 'MEDIA/snapshots/nothing.png' } }, 404, /does not exist/],
    ['a folder', { document: { path: 'MEDIA/snapshots' } }, 400, /is not a file/],
    ['bad base64', { image: { base64: 'not base64 at all!' } }, 400, /'image\.base64' is not valid base64/],
    ['two files at once', { image: { base64: PNG.toString('base64') }, video: { base64: PNG.toString('base64') } }, 400, /one file at a time/],
    ['two sources for one file', { image: { base64: 'AAAA', path: '/media/x.png' } }, 400, /exactly one of them/],
    ['an unknown source', { image: { file: '/media/x.png' } }, 400, /must be \{"path"/],
    ['a PDF given as image', { image: { path: 'MEDIA/snapshots/invoice.pdf' } }, 415, /'image' must be a JPEG or PNG image, but the file is application\/pdf/],
    ['a voice note that is not ogg', { audio: { base64: PNG.toString('base64') }, voice: true }, 415, /must be an audio file|voice note must be ogg/],
    [
      "a sticker over WhatsApp's limit",
      { sticker: { base64: Buffer.alloc(1024 * 1024 + 10, 7).toString('base64') }, mimetype: 'image/webp' },
      413,
      /WhatsApp takes at most 1 MB/,
    ],
    [
      'a PNG that claims to be a web page',
      { image: { base64: PNG.toString('base64') }, mimetype: 'text/html' },
      415,
      /'mimetype' says text\/html, but the file is image\/png/,
    ],
    [
      'a PNG document that claims to be a web page',
      { document: { base64: PNG.toString('base64') }, mimetype: 'text/html' },
      415,
      /says text\/html, but the file is image\/png/,
    ],
    [
      'a PDF that claims to be a video',
      { document: { path: 'MEDIA/snapshots/invoice.pdf' }, mimetype: 'video/mp4' },
      415,
      /says video\/mp4, but the file is application\/pdf/,
    ],
    [
      'a mimetype with a line break',
      { document: { base64: PNG.toString('base64') }, mimetype: 'image/png\r\nX-Injected: yes' },
      400,
      /'mimetype' must look like type\/subtype/,
    ],
    ['a caption on audio', { audio: { base64: PNG.toString('base64') }, caption: 'hi' }, 400, /no caption on audio/],
    ['voice without audio', { image: { base64: PNG.toString('base64') }, voice: true }, 400, /'voice' goes with 'audio'/],
    ['a caption without a file', { text: 'x', caption: 'y' }, 400, /'caption' goes with a media key/],
    ['a non-http URL', { image: { url: 'file:///etc/passwd' } }, 400, /must start with http:\/\/ or https:\/\//],
    ['a URL that answers 404', { image: { url: 'FILES/missing' } }, 502, /answered HTTP 404/],
    ['a URL that redirects without end', { image: { url: 'FILES/loop' } }, 502, /more than 3 redirects/],
    ['a URL larger than media_max_size', { document: { url: 'FILES/big' } }, 413, /larger than media_max_size \(1 MB\)/],
    ['a URL that declares more than media_max_size', { document: { url: 'FILES/declared-huge' } }, 413, /larger than media_max_size \(1 MB\)/],
    ['a URL that streams past media_max_size', { document: { url: 'FILES/chunked-big' } }, 413, /larger than media_max_size \(1 MB\)/],
  ];

  for (const [what, body, status, message] of refusals) {
    test(`${what}: ${status}`, async () => {
      const sentBefore = s.sim.recorded.outgoing.length;
      const filled = JSON.parse(JSON.stringify(body).replaceAll('MEDIA/', `${mediaFolder}/`).replaceAll('FILES/', files.url('/')));
      const answer = await send(filled);
      assert.equal(answer.status, status, answer.error);
      assert.match(answer.error, message);
      assert.doesNotMatch(answer.error, /\n/, 'one line');
      assert.equal(s.sim.recorded.outgoing.length, sentBefore, 'nothing was sent');
    });
  }

  test('refusals took no pacing slot: with send_interval 60 s, a valid send still goes at once', async () => {
    const started = Date.now();
    const answer = await send({ text: 'still on time' });
    assert.equal(answer.status, 200, answer.error);
    assert.ok(Date.now() - started < 30_000, 'the send waited for a pacing slot');
  });
});
