// Media that real WhatsApp sends a linked device and that can never be fetched (view-once,
// channel media, media gone from the phone), through the daemon, real Baileys and the
// simulator's HTTPS media host: each ends at once, and the chat's next message is not held.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { proto } from '@whiskeysockets/baileys';
import { samplePng, type Contact, type MediaSpec } from '../../simulator/index.js';
import { mediaBridge, type MediaBridge } from '../support/media-bridge.js';

/** "A few seconds": well under media_wait (30 s by default) and the 10 minutes of network retries. */
const PROMPTLY_MS = 5_000;

/** The CDN path a media message points at, as the media host records its requests. */
function pathOf(message: proto.IMessage): string | null {
  const inner = message.viewOnceMessageV2?.message ?? message;
  const media = inner.imageMessage ?? inner.videoMessage ?? inner.documentMessage ?? inner.audioMessage;
  return media?.directPath ? new URL(media.directPath, 'https://host').pathname : null;
}

describe('media that cannot be fetched ends at once (real WhatsApp shapes)', () => {
  let s: MediaBridge;
  let alice: Contact;

  before(async () => {
    s = await mediaBridge();
    alice = s.sim.contact({ phone: '4917600000031', pushName: 'Alice' });
  });
  after(() => s.close());

  /** Sends `send`, then a text in the same chat; both arrive within PROMPTLY_MS, the text after. */
  async function thenText(send: () => Promise<{ id: string }>): Promise<any> {
    const started = Date.now();
    const { id } = await send();
    const text = await s.sim.sendText(alice, 'did you see it?');
    await s.payload(text.id, PROMPTLY_MS);
    const ids = s.receiver.accepted.map((p) => p.id);
    assert.ok(ids.indexOf(id) >= 0 && ids.indexOf(id) < ids.indexOf(text.id), `the text after its predecessor: ${ids}`);
    assert.ok(Date.now() - started < PROMPTLY_MS, `both arrived within ${PROMPTLY_MS / 1000} s`);
    return s.receiver.accepted.find((p) => p.id === id);
  }

  const shapes: Array<[string, MediaSpec, RegExp, string]> = [
    [
      'a view-once photo without URL, path and key',
      { kind: 'image', data: samplePng(), wrap: 'viewOnce', missing: ['url', 'directPath', 'mediaKey'] },
      /^view-once: /,
      'View-once photo (open it on the phone)',
    ],
    [
      'a view-once video with a URL but no key',
      { kind: 'video', data: randomBytes(2_000), wrap: 'viewOnce', missing: ['mediaKey'] },
      /^view-once: /,
      'View-once video (open it on the phone)',
    ],
    ['a photo without a media key', { kind: 'image', data: randomBytes(2_000), caption: 'the gate', missing: ['mediaKey'] }, /^no media key: /, 'the gate'],
    [
      'a document without URL or direct path',
      { kind: 'document', data: randomBytes(2_000), fileName: 'a.pdf', missing: ['url', 'directPath'] },
      /^no URL: /,
      'a.pdf',
    ],
  ];
  for (const [what, spec, error, content] of shapes) {
    test(`${what}: media.error and content say so, nothing is downloaded, the next text is not held`, async () => {
      let sent: { id: string; message: proto.IMessage } | undefined;
      const p = await thenText(async () => (sent = await s.sim.sendMedia(alice, spec)));
      assert.match(p.media.error, error);
      assert.equal(p.content, content);
      assert.equal(p.media.path, null);
      assert.equal(p.media.url, null);
      assert.equal(p.media.pending, false);
      const path = pathOf(sent!.message);
      if (path) assert.ok(!s.sim.media!.requests.some((r) => r.path === path), 'no download was tried');
    });
  }

  test('a view-once placeholder (no content at all) is forwarded saying what it was', async () => {
    const p = await thenText(() => s.sim.sendViewOnceStub(alice));
    assert.equal(p.type, 'other');
    assert.equal(p.content, 'View-once message (open it on the phone)');
    assert.match(p.media.error, /^view-once: /);
    assert.equal(p.sender, alice.jid);
  });

  test('media the phone no longer has ends after its answer, not after minutes', async () => {
    const p = await thenText(() => s.sim.sendMedia(alice, { kind: 'image', data: randomBytes(2_000), expired: 'for-good' }));
    assert.match(p.media.error, /^expired: the phone no longer has the file/);
  });

  test('media gone again after the phone uploaded it: asked once, then it ends', async () => {
    let id = '';
    const p = await thenText(async () => ({ id } = await s.sim.sendMedia(alice, { kind: 'video', data: randomBytes(3_000), expired: 'gone-after-reupload' })));
    assert.match(p.media.error, /^expired: the media host answered 410 after the phone uploaded it again$/);
    assert.deepEqual(
      s.sim.recorded.mediaRetries.filter((r) => r.id === id).map((r) => r.result),
      ['reuploaded'],
      'one re-upload request',
    );
  });

  test('a 403 from the media host ends the job after one request', async () => {
    s.sim.media!.failNextDownloads(1, 'forbidden');
    let sent: { id: string; message: proto.IMessage } | undefined;
    try {
      const p = await thenText(async () => (sent = await s.sim.sendMedia(alice, { kind: 'image', data: randomBytes(2_000) })));
      assert.equal(p.media.error, 'refused: the media host answered 403');
      assert.deepEqual(
        s.sim.media!.requests.filter((r) => r.path === pathOf(sent!.message)).map((r) => r.status),
        [403],
      );
    } finally {
      s.sim.media!.failNextDownloads(0);
    }
  });

  test('a channel post without a media key is not fetched and holds nothing', async () => {
    const post = await s.sim.sendChannelMedia('120363252280300733@newsletter', { kind: 'image', data: samplePng() });
    await s.sim.waitForAcks([post.id]);
    const text = await s.sim.sendText(alice, 'after the channel post');
    await s.payload(text.id, PROMPTLY_MS);
    assert.ok(!s.receiver.accepted.some((p) => p.id === post.id), 'channels are not forwarded');
    assert.ok(!s.sim.media!.requests.some((r) => r.path === pathOf(post.message)), 'no download was tried');
    assert.equal((await s.status()).media.pending, 0, 'no job waits');
  });
});
