import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { samplePng, type Contact, type MediaSpec } from '../../simulator/index.js';
import { MEDIA_API_TOKEN, mediaBridge, type MediaBridge } from '../support/media-bridge.js';

const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** GETs a payload's media.url from the message API on this machine (the URL names the app's hostname). */
async function fetchMedia(s: MediaBridge, url: string, token: string | null = MEDIA_API_TOKEN) {
  const { pathname } = new URL(url);
  return fetch(new URL(pathname, await s.apiUrl()), { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

describe('receiving media through the real stack (daemon, Baileys, HTTPS media host)', () => {
  let s: MediaBridge;
  let alice: Contact;
  let bob: Contact;

  before(async () => {
    s = await mediaBridge();
    alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    bob = s.sim.contact({ phone: '4917600000002', pushName: 'Bob' });
  });
  after(() => s.close());

  const kinds: Array<[string, MediaSpec, Record<string, unknown>]> = [
    [
      'a photo',
      { kind: 'image', data: samplePng(), mimetype: 'image/png', caption: 'the garden', width: 96, height: 64 },
      { mimetype: 'image/png', width: 96, height: 64, voice: false, file_name: null, content: 'the garden', ext: 'png' },
    ],
    [
      'a video',
      { kind: 'video', data: randomBytes(300_001), caption: 'holiday', seconds: 12 },
      { mimetype: 'video/mp4', duration_s: 12, voice: false, content: 'holiday', ext: 'mp4' },
    ],
    [
      'a voice note',
      { kind: 'audio', data: randomBytes(4_000), ptt: true, seconds: 3 },
      { voice: true, duration_s: 3, content: 'Voice message (3 s)', transcript: null, transcript_error: null, ext: 'ogg' },
    ],
    ['an audio file', { kind: 'audio', data: randomBytes(5_000), mimetype: 'audio/mpeg' }, { voice: false, mimetype: 'audio/mpeg', ext: 'mp3' }],
    ['a document', { kind: 'document', data: randomBytes(7_000), fileName: 'invoice.pdf' }, { file_name: 'invoice.pdf', content: 'invoice.pdf', ext: 'pdf' }],
    [
      'a sticker',
      { kind: 'sticker', data: randomBytes(2_000), width: 512, height: 512 },
      { mimetype: 'image/webp', width: 512, content: 'Sticker', ext: 'webp' },
    ],
    ['a view-once photo', { kind: 'image', data: randomBytes(3_000), wrap: 'viewOnce', caption: 'once' }, { content: 'once' }],
    ['a disappearing video', { kind: 'video', data: randomBytes(3_000), wrap: 'ephemeral' }, { content: 'Video' }],
    [
      'a document with caption',
      { kind: 'document', data: randomBytes(3_000), fileName: 'notes.txt', mimetype: 'text/plain', caption: 'see notes', wrap: 'documentWithCaption' },
      { file_name: 'notes.txt', content: 'see notes', ext: 'txt' },
    ],
  ];

  for (const [what, spec, expected] of kinds) {
    test(`${what}: saved byte-identical, described in media, served at media.url`, async () => {
      const { id } = await s.sim.sendMedia(alice, spec);
      const p = await s.payload(id);
      const { ext, content, ...fields } = expected;
      if (content) assert.equal(p.content, content);
      for (const [field, value] of Object.entries(fields)) assert.equal(p.media[field], value, `media.${field}`);
      assert.equal(p.media.error, null);
      assert.equal(p.media.size, spec.data.length);
      assert.equal(p.media.sha256, hex(spec.data));
      assert.match(relative(s.mediaFolder, p.media.path), new RegExp(`^4917600000001/\\d{4}-\\d{2}-\\d{2}_${id}(_[\\w-]+)?\\.${ext ?? '\\w+'}$`));
      assert.equal(hex(readFileSync(p.media.path)), hex(spec.data), 'the saved file');
      assert.match(p.media.url, new RegExp(`^http://[^/]+:\\d+/api/media/${encodeURIComponent(p.chat)}/${id}$`));
      const served = await fetchMedia(s, p.media.url);
      assert.equal(served.status, 200);
      assert.equal(hex(Buffer.from(await served.arrayBuffer())), hex(spec.data), 'media.url serves the same bytes');
      assert.equal(served.headers.get('content-type')?.split(';')[0], (p.media.mimetype as string).split(';')[0]);
    });
  }

  test('media.url needs the API token', async () => {
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data: samplePng() });
    const p = await s.payload(id);
    assert.equal((await fetchMedia(s, p.media.url, null)).status, 401);
    assert.equal((await fetchMedia(s, p.media.url, 'wrong-token-wrong-token')).status, 401);
    assert.equal((await fetchMedia(s, p.media.url.replace(id, 'NOSUCHID'))).status, 404);
  });

  test('a group photo goes into the group folder; the Home Assistant path is absolute', async () => {
    const family = s.sim.group({ subject: 'Family', participants: [alice, bob] });
    const data = randomBytes(1_500);
    const { id } = await s.sim.sendMedia(bob, { kind: 'image', data }, { group: family });
    const p = await s.payload(id);
    assert.equal(p.is_group, true);
    assert.equal(relative(s.mediaFolder, p.media.path).split('/')[0], family.jid.split('@')[0]);
    assert.equal(p.media.sha256, hex(data));
  });

  test('a hostile document name cannot leave the folder, hide the file or clash', async () => {
    const names = ['../../../etc/cron.d/evil', '.bashrc', '..\\..\\win.ini'];
    const paths = [];
    for (const fileName of names) {
      const { id } = await s.sim.sendMedia(alice, { kind: 'document', data: randomBytes(100), fileName });
      const p = await s.payload(id);
      assert.equal(p.media.file_name, fileName, "file_name keeps the sender's name as it was");
      const inside = relative(s.mediaFolder, p.media.path);
      assert.ok(!inside.startsWith('..'), `${fileName} -> ${p.media.path}`);
      assert.ok(!inside.split('/').at(-1)!.startsWith('.'), `${fileName} -> hidden ${p.media.path}`);
      paths.push(p.media.path);
    }
    assert.equal(new Set(paths).size, names.length);
    assert.ok(!existsSync('/etc/cron.d/evil'));
  });

  test('expired media is uploaded again by the phone when asked, then saved', async () => {
    const data = randomBytes(20_000);
    const { id } = await s.sim.sendMedia(alice, { kind: 'video', data, expired: 'until-reupload' });
    const p = await s.payload(id);
    assert.equal(p.media.error, null);
    assert.equal(hex(readFileSync(p.media.path)), hex(data));
    assert.ok(
      s.sim.recorded.mediaRetries.some((r) => r.id === id && r.result === 'reuploaded'),
      'the bridge asked the phone',
    );
  });

  test('media expired for good: the message arrives with media.error and no file', async () => {
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data: randomBytes(2_000), caption: 'gone' }, {});
    const sentAgain = await s.sim.sendMedia(alice, { kind: 'image', data: randomBytes(2_000), expired: 'for-good' });
    const p = await s.payload(sentAgain.id);
    assert.match(p.media.error, /^expired: /);
    assert.equal(p.media.path, null);
    assert.equal(p.media.url, null);
    assert.equal((await s.payload(id)).media.error, null);
  });

  test('a text behind a photo keeps its place in its chat; another chat does not wait', async () => {
    const before = s.receiver.accepted.length;
    const photo = await s.sim.sendMedia(alice, { kind: 'image', data: randomBytes(50_000), expired: 'until-reupload' });
    const text = await s.sim.sendText(alice, 'did you get the photo?');
    const other = await s.sim.sendText(bob, 'unrelated');
    await s.payload(text.id);
    await s.payload(other.id);
    const order = s.receiver.accepted.slice(before).map((p) => p.id);
    assert.ok(order.indexOf(photo.id) < order.indexOf(text.id), `alice's text after her photo: ${order}`);
    assert.ok(order.indexOf(other.id) < order.indexOf(photo.id), `bob's message did not wait for alice's photo: ${order}`);
  });

  test('the page shows the folder: files, bytes, nothing pending', async () => {
    const status = await s.status();
    assert.equal(status.media.download, true);
    assert.equal(status.media.folder, s.mediaFolder);
    assert.ok(status.media.files >= kinds.length, `${status.media.files} files`);
    const onDisk = readdirSync(s.mediaFolder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.equal(status.media.files, onDisk.length, 'every saved file is counted, no .part file is left');
    assert.equal(status.media.pending, 0);
    assert.match(status.media.last_error, /^expired: /, 'the last problem is the expired photo');
  });
});
