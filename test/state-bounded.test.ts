import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Outbox } from '../src/delivery/outbox.js';
import { DATABASE_FILE, openDatabase } from '../src/state/database.js';
import { DEAD_FOR_DAYS, SEEN_FOR_DAYS, StatePruner } from '../src/state/state-pruner.js';

const DAY = 24 * 60 * 60 * 1000;
const PER_DAY = 500;
const MB = 1024 * 1024;

// Polls (a few a day, not 500) leave after POLLS_FOR_DAYS: that horizon is tested in polls.test.ts.
test('90 days of 500 messages a day (5 of them dead) keep the state file bounded: under 4 MB, and no growth after the horizon', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-bounded-'));
  const db = openDatabase(dataDir);
  const outbox = new Outbox(db);
  let now = Date.UTC(2026, 0, 1);
  const pruner = new StatePruner(db, pino({ level: 'silent' }), () => now);
  const body = JSON.stringify({ content: 'x'.repeat(700) }); // about a real text payload with its raw
  const sizes: number[] = [];
  const fileSize = () => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  for (let day = 0; day < 90; day++) {
    now = Date.UTC(2026, 0, 1) + day * DAY;
    const messages = Array.from({ length: PER_DAY }, (_, i) => ({
      chat: `chat${i % 25}@s.whatsapp.net`,
      messageId: `D${day}M${i}`,
      bodies: { webhook: body },
    }));
    outbox.accept(messages, now);
    for (const head of outbox.heads('webhook')) {
      // Deliver everything but 5 a day, which die (the receiver answered 404 for them).
      for (let row = outbox.get(head.seq); row; row = outbox.get(outbox.headOfChat('webhook', head.chat)?.seq ?? -1)) {
        if (/M[0-4]$/.test(row.messageId)) outbox.markDead(row, 1);
        else outbox.markDelivered(row);
      }
    }
    pruner.prune();
    sizes.push(fileSize());
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const seen = (db.prepare('SELECT COUNT(*) AS n FROM seen_messages').get() as { n: number }).n;
  const dead = (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE dead = 1').get() as { n: number }).n;
  const onDisk = statSync(join(dataDir, DATABASE_FILE)).size;
  db.close();
  // Today's and those of the days within the horizon.
  assert.equal(seen, (SEEN_FOR_DAYS + 1) * PER_DAY, `ids of the last ${SEEN_FOR_DAYS} days are kept`);
  assert.equal(dead, (DEAD_FOR_DAYS + 1) * 5, `dead deliveries of the last ${DEAD_FOR_DAYS} days are kept`);
  const atHorizon = sizes[SEEN_FOR_DAYS + 1]!;
  console.log(
    `# state file: ${(atHorizon / MB).toFixed(2)} MB on day ${SEEN_FOR_DAYS + 1}, ${(sizes.at(-1)! / MB).toFixed(2)} MB on day 90, ${(onDisk / MB).toFixed(2)} MB on disk`,
  );
  assert.ok(sizes.at(-1)! <= atHorizon * 1.1, `grew from ${atHorizon} to ${sizes.at(-1)} bytes after the horizon`);
  assert.ok(onDisk < 4 * MB, `${onDisk} bytes`);
});
