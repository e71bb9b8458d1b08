import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import type { Db } from '../../src/state/database.js';
import { pairedBridge, pairedDaemon } from '../support/paired-bridge.js';

/** Asserts that every message arrived once and each chat's messages in the order they were sent. */
function assertAllInOrder(received: Array<{ id: string; chat: string }>, sent: Array<{ id: string; chat: string }>) {
  const ids = received.map((p) => p.id);
  for (const { id } of sent) assert.equal(ids.filter((x) => x === id).length, 1, `${id} arrived once`);
  for (const chat of new Set(sent.map((m) => m.chat))) {
    const expected = sent.filter((m) => m.chat === chat).map((m) => m.id);
    assert.deepEqual(
      received.filter((p) => p.chat === chat && expected.includes(p.id)).map((p) => p.id),
      expected,
      `order in ${chat}`,
    );
  }
}

test('the state file cannot grow (SQLite max_page_count): no receipt without a commit, and everything arrives once it can', async () => {
  const s = await pairedBridge();
  try {
    const alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const bob = s.sim.contact({ phone: '4917600000002', pushName: 'Bob' });
    const warm = [await s.sim.sendText(alice, 'before'), await s.sim.sendText(bob, 'before')];
    await s.receiver.waitFor(() => warm.every((m) => s.receiver.accepted.some((p) => p.id === m.id)));
    // The bridge's own connection to its state file: no page may be added from now on.
    const db = (s.bridge.bridge as unknown as { stateFile: { db: Db } }).stateFile.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const sent: Array<{ id: string; chat: string }> = [];
    for (let i = 0; i < 30; i++) {
      const from = i % 2 ? bob : alice;
      const { id } = await s.sim.sendText(from, `message ${i} ${'x'.repeat(400)}`);
      sent.push({ id, chat: `${from.phone}@s.whatsapp.net` });
    }
    const failing = await s.bridge.status.waitFor((st) => st.storage !== null, 15_000, 'the page shows the storage problem');
    assert.match(failing.storage!.message, /The data folder is full .* messages wait at WhatsApp until space is back/);
    const storedWhileFull = new Set((db.prepare('SELECT id FROM seen_messages').all() as Array<{ id: string }>).map((r) => r.id));
    const receipted = new Set(s.sim.recorded.receipts.flatMap((r) => r.ids));
    for (const { id } of sent) if (receipted.has(id)) assert.ok(storedWhileFull.has(id), `${id} got a receipt without being stored`);

    db.pragma('max_page_count = 1073741823'); // space is back
    await s.receiver.waitFor(() => sent.every((m) => s.receiver.accepted.some((p) => p.id === m.id)), 30_000, 'all 30 after the space came back');
    assertAllInOrder(s.receiver.accepted, sent);
    const recovered = await s.bridge.status.waitFor((st) => st.storage === null, 10_000, 'the problem cleared');
    assert.equal(recovered.state, 'connected');
    assert.ok(sent.length - storedWhileFull.size > 0, 'some messages really could not be stored at first');
  } finally {
    await s.close();
  }
});

const root = process.getuid?.() === 0;
const mountable =
  root &&
  (() => {
    try {
      execFileSync('mount', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

test(
  'a real small file system fills up during a burst: the daemon stays up, and every message arrives in order once space is back, without a restart',
  { skip: mountable ? false : 'needs root to mount a small tmpfs (CI runs as root)' },
  async () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'wab-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint]);
    const sim = await WaSimulator.start();
    const receiver = await TestReceiver.start();
    try {
      const dataDir = join(mountPoint, 'data');
      mkdirSync(dataDir);
      const daemon = await pairedDaemon({ sim, receiver, dataDir });
      const status = await StatusStream.open(daemon.ingressUrl);
      try {
        const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
        // Leave a few kB free: the burst fills the rest.
        const filler = join(mountPoint, 'filler');
        try {
          writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
        } catch {
          /* ENOSPC: the file system is as full as it gets */
        }
        const sent: Array<{ id: string; chat: string }> = [];
        for (let i = 0; i < 30; i++) sent.push({ id: (await sim.sendText(alice, `burst ${i} ${'y'.repeat(2000)}`)).id, chat: '4917600000001@s.whatsapp.net' });
        const failing = await status.waitFor((st) => st.storage !== null, 20_000, 'the storage problem');
        assert.match(failing.storage!.message, /The data folder is full \([\d.]+ MB free\)/);
        assert.equal(daemon.child.exitCode, null, 'the daemon is still running');
        rmSync(filler, { force: true });
        await receiver.waitFor(() => sent.every((m) => receiver.accepted.some((p) => p.id === m.id)), 60_000, 'all 30 once space is back');
        assertAllInOrder(receiver.accepted, sent);
        assert.ok(
          daemon.lines.some((l) => /The data folder is full/.test(l)),
          'one log line says so',
        );
        assert.equal(daemon.lines.filter((l) => /The data folder is full/.test(l)).length, 1, 'only one');
      } finally {
        status.close();
        await daemon.kill('SIGTERM');
      }
    } finally {
      await sim.stop();
      await receiver.close();
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  },
);
