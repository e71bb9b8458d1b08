import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { until } from '../../simulator/waits.js';
import { committedMessageIds } from '../support/state-file.js';
import { mediaBridge } from '../support/media-bridge.js';

const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const MB = 1024 * 1024;

test('over media_max_size: not downloaded, the message arrives with media.error; media_max_total removes the oldest files', async () => {
  const s = await mediaBridge({ media_max_size: 1, media_max_total: 1 });
  try {
    const alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const big = await s.sim.sendMedia(alice, { kind: 'document', data: randomBytes(MB + 1), fileName: 'big.bin' });
    const p = await s.payload(big.id);
    assert.match(p.media.error, /^too large: over media_max_size \(1 MB\)/);
    assert.equal(p.media.path, null);
    assert.equal(p.media.size, MB + 1, 'the size WhatsApp gives is still there');
    const fetched = s.sim.media!.requests.filter((r) => r.method === 'GET' && big.message.documentMessage?.directPath?.startsWith(r.path));
    assert.deepEqual(fetched, [], 'the large file was not fetched at all');

    const photos: Array<{ id: string; data: Buffer; payload: any }> = [];
    for (let i = 0; i < 3; i++) {
      const data = randomBytes(400 * 1024);
      const { id } = await s.sim.sendMedia(alice, { kind: 'image', data });
      photos.push({ id, data, payload: await s.payload(id) });
    }
    // 3 x 400 kB > 1 MB: the first is removed once the third is saved.
    await until('the oldest file removed', () => !existsSync(photos[0]!.payload.media.path), 10_000);
    assert.ok(existsSync(photos[1]!.payload.media.path) && existsSync(photos[2]!.payload.media.path));
    assert.equal(hex(readFileSync(photos[2]!.payload.media.path)), hex(photos[2]!.data));
    const gone = await fetch(new URL(new URL(photos[0]!.payload.media.url).pathname, await s.apiUrl()), {
      headers: { Authorization: 'Bearer api-token-for-the-media-tests' },
    });
    assert.equal(gone.status, 404, 'media.url answers 404 once retention removed the file');
    const status = await s.status();
    assert.equal(status.media.files, 2);
    assert.ok(status.media.bytes <= MB);
  } finally {
    await s.close();
  }
});

test('media_download off: media describes the file, nothing is fetched or saved', async () => {
  const s = await mediaBridge({ media_download: false });
  try {
    const alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const data = randomBytes(5_000);
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data, caption: 'not kept' });
    const p = await s.payload(id);
    assert.equal(p.content, 'not kept');
    assert.deepEqual(
      { ...p.media },
      {
        mimetype: 'image/jpeg',
        size: 5_000,
        sha256: hex(data),
        file_name: null,
        duration_s: null,
        width: null,
        height: null,
        voice: false,
        path: null,
        url: null,
        error: null,
        transcript: null,
        transcript_error: null,
        pending: false,
      },
    );
    assert.deepEqual(
      s.sim.media!.requests.filter((r) => r.method === 'GET'),
      [],
    );
    assert.deepEqual(readdirSync(s.mediaFolder), []);
  } finally {
    await s.close();
  }
});

test('a media folder that cannot be written: the message arrives at once with media.error, the log and the page say so', async () => {
  // A regular file where the folder should be: mkdir fails even for root.
  const blocker = join(mkdtempSync(join(tmpdir(), 'wab-blocked-')), 'not-a-folder');
  writeFileSync(blocker, 'x');
  const s = await mediaBridge({ media_folder: join(blocker, 'whatsapp') });
  try {
    const alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data: randomBytes(2_000), caption: 'nowhere to go' });
    const text = await s.sim.sendText(alice, 'and a text after it');
    const p = await s.payload(id);
    assert.equal(p.media.error, 'the media folder is not writable');
    assert.equal(p.media.path, null);
    assert.equal(p.content, 'nowhere to go');
    await s.payload(text.id);
    assert.ok(
      s.daemon.lines.some((l) =>
        / ERROR: Media of message .* not saved: the media folder is not writable\. Free space in .* or check that the folder can be written/.test(l),
      ),
    );
    assert.equal((await s.status()).media.last_error, 'the media folder is not writable');
  } finally {
    await s.close();
  }
});

test('kill -9 while files download, and a restart: every download resumes, each message arrives once with its file', async () => {
  const s = await mediaBridge();
  try {
    const alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const files = Array.from({ length: 6 }, () => randomBytes(3 * MB));
    const sent: Array<{ id: string; data: Buffer }> = [];
    for (const data of files) sent.push({ data, ...(await s.sim.sendMedia(alice, { kind: 'video', data })) });
    // Once WhatsApp has the receipts, each message and its download job are committed: kill now.
    await s.sim.waitForAcks(sent.map((m) => m.id));
    await s.restart('SIGKILL');
    const committed = new Set(committedMessageIds(s.daemon.dataDir));
    for (const { id } of sent) assert.ok(committed.has(id), `${id} was committed before its receipt`);
    const deliveredBeforeKill = s.receiver.accepted.filter((p) => sent.some((m) => m.id === p.id)).length;
    for (const { id, data } of sent) {
      const p = await s.payload(id, 30_000);
      assert.equal(p.media.error, null);
      assert.equal(hex(readFileSync(p.media.path)), hex(data));
    }
    const ids = s.receiver.accepted.map((p) => p.id);
    assert.deepEqual(
      ids.filter((id) => sent.some((m) => m.id === id)),
      sent.map((m) => m.id),
      'in order, each once',
    );
    const leftovers = readdirSync(s.mediaFolder, { recursive: true }).filter((name) => String(name).endsWith('.part'));
    assert.deepEqual(leftovers, [], 'no partial file is left behind');
    console.log(`# ${deliveredBeforeKill} of ${sent.length} were delivered before the kill; the rest resumed`);
  } finally {
    await s.close();
  }
});
