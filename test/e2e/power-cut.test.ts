import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { WaSimulator } from '../../simulator/index.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { pairedDaemon } from '../support/paired-bridge.js';
import { systemCommand } from '../../simulator/harness/system-command.js';
import { sleep } from '../../simulator/waits.js';

const strace = systemCommand('strace', 'strace');

/** fdatasync calls on the write-ahead log, from strace -ttt -T -yy: when each started and ended (epoch ms). */
function walSyncs(trace: string): Array<{ start: number; end: number }> {
  const syncs = [];
  for (const line of trace.split('\n')) {
    const m = /^\d+\s+([\d.]+) fdatasync\(\d+<[^>]*whatsapp-bridge\.db-wal>\)\s+= 0 <([\d.]+)>/.exec(line);
    if (m) syncs.push({ start: Number(m[1]) * 1000, end: (Number(m[1]) + Number(m[2])) * 1000 });
  }
  return syncs;
}

test(
  'a power cut loses nothing WhatsApp has a receipt for: each receipt leaves only after an fsync of the log that began after its commit (strace)',
  { skip: strace.skip },
  async (t) => {
    const sim = await WaSimulator.start();
    const receiver = await TestReceiver.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'wab-sync-'));
    const daemon = await pairedDaemon({ sim, receiver, dataDir });
    const traceFile = join(dataDir, 'strace.txt');
    // Attached to the running daemon: every thread (-f), the call's start and duration, file names.
    const tracer = spawn(strace.path!, ['-f', '-ttt', '-T', '-yy', '-e', 'trace=fdatasync', '-o', traceFile, '-p', String(daemon.child.pid)], {
      stdio: 'ignore',
    });
    try {
      await sleep(1000); // strace attaches to each thread
      const receiptAt = new Map<string, number>();
      sim.events.on('receipt', (r) => r.ids.forEach((id) => receiptAt.has(id) || receiptAt.set(id, Date.now())));
      const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
      const bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });
      const ids = await sim.sendMany(200, (i) => ({ from: i % 2 ? alice : bob, text: `burst ${i}` }));
      await receiver.waitFor(() => ids.every((id) => receiver.accepted.some((p) => p.id === id)), 30_000, 'the burst');
      await sim.waitForAcks(ids);
      tracer.kill('SIGINT');
      await once(tracer, 'exit');
      const syncs = walSyncs(readFileSync(traceFile, 'utf8'));
      const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
      const committedAt = new Map(
        (db.prepare('SELECT id, seen_at FROM seen_messages').all() as Array<{ id: string; seen_at: number }>).map((r) => [r.id, r.seen_at]),
      );
      db.close();
      let unsynced = 0;
      for (const id of ids) {
        const committed = committedAt.get(id);
        const receipt = receiptAt.get(id);
        assert.ok(committed !== undefined && receipt !== undefined, `${id}: committed and receipted`);
        if (!syncs.some((s) => s.start >= committed - 0.5 && s.end <= receipt)) unsynced++;
      }
      assert.equal(unsynced, 0, `${unsynced} of ${ids.length} receipts left before a sync of their commit (${syncs.length} syncs traced)`);
      t.diagnostic(
        `${ids.length} messages, ${syncs.length} fdatasync calls on the log (group commit: ${(ids.length / Math.max(1, syncs.length)).toFixed(1)} messages per sync)`,
      );
      assert.ok(syncs.length < ids.length, 'commits share syncs');
    } finally {
      if (tracer.exitCode === null) tracer.kill('SIGINT');
      await daemon.kill('SIGTERM');
      await sim.stop();
      await receiver.close();
    }
  },
);
