import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { proto } from '@whiskeysockets/baileys';
import type { Contact } from '../../simulator/index.js';
import { until } from '../../simulator/waits.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { mediaBridge, type MediaBridge } from '../support/media-bridge.js';

const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const TEN_MINUTES_MS = 10 * 60_000;

/** The CDN path a media message points at, as the media host records its requests. */
const pathOf = (message: proto.IMessage) => {
  const media = message.imageMessage ?? message.videoMessage ?? message.documentMessage;
  return new URL(media!.directPath!, 'https://host').pathname;
};

describe('downloads on a flaky network (the media host drops connections on demand)', () => {
  let s: MediaBridge;
  let alice: Contact;

  before(async () => {
    s = await mediaBridge();
    alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
  });
  after(() => s.close());

  const requestsFor = (message: proto.IMessage) => s.sim.media!.requests.filter((r) => r.method === 'GET' && r.path === pathOf(message));

  for (const how of ['reset', 'cut'] as const) {
    test(`a connection ${how === 'reset' ? 'reset before the answer' : 'dropped halfway through the file'} is retried, then the file is saved`, async () => {
      const data = randomBytes(2 * 1024 * 1024);
      s.sim.media!.failNextDownloads(1, how);
      const { id, message } = await s.sim.sendMedia(alice, { kind: 'video', data });
      const p = await s.payload(id);
      assert.equal(p.media.error, null);
      assert.equal(hex(readFileSync(p.media.path)), hex(data));
      assert.deepEqual(
        requestsFor(message).map((r) => r.failed ?? r.status),
        [how, 200],
        'one failed attempt, then the whole file',
      );
      assert.deepEqual(
        readdirSync(join(p.media.path, '..')).filter((name) => name.endsWith('.part')),
        [],
        'no partial file left behind',
      );
    });
  }

  test('still failing 10 minutes after the message came: its media event says media.error', async () => {
    s.sim.media!.failNextDownloads(1_000, 'reset');
    try {
      const { id, message } = await s.sim.sendMedia(alice, { kind: 'document', data: randomBytes(5_000), fileName: 'report.pdf' });
      await until('the first attempt', () => requestsFor(message).length > 0, 15_000);
      assert.ok(!s.receiver.accepted.some((p) => p.id === id), 'held while it is retried');
      // Ten minutes pass while the bridge is down: its job says so when it resumes.
      await s.restart('SIGTERM', (dataDir) => {
        const db = new Database(join(dataDir, DATABASE_FILE));
        try {
          const moved = db.prepare('UPDATE media_jobs SET created_at = created_at - ? WHERE message_id = ?').run(TEN_MINUTES_MS, id);
          assert.equal(moved.changes, 1, 'the job waits in the state file');
        } finally {
          db.close();
        }
      });
      // media_wait (30 s) is long over: the message goes at the restart, its media event follows.
      const p = await s.payload(id, 30_000);
      assert.equal(p.media.pending, true);
      await s.receiver.waitFor(() => s.receiver.accepted.some((b) => b.event === 'media' && b.id === id), 30_000, 'the media event');
      const event = s.receiver.accepted.find((b) => b.event === 'media' && b.id === id);
      assert.match(event.media.error, /^download failed: /);
      assert.equal(event.media.path, null);
      assert.ok(requestsFor(message).length >= 2, 'tried again after the restart');
    } finally {
      s.sim.media!.failNextDownloads(0);
    }
  });
});
