import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openDatabase } from '../src/state/database.js';

const SCHEMA_V1 = readFileSync(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8');

test('a state file of 0.1.x is migrated: unread columns and index go, every queued and dead row stays', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-migrate-'));
  const old = new Database(join(dataDir, DATABASE_FILE));
  old.exec(SCHEMA_V1);
  old.pragma('user_version = 1');
  const insert = old.prepare(
    'INSERT INTO outbox (destination, chat, message_id, delivery_id, body, created_at, attempts, next_attempt_at, dead, last_status, last_error) VALUES (?, ?, ?, ?, ?, 1, ?, 2, ?, ?, ?)',
  );
  insert.run('webhook', 'a@s.whatsapp.net', 'M1', 'msg_1', '{"n":1}', 0, 0, null, null);
  insert.run('webhook', 'a@s.whatsapp.net', 'M2', 'msg_2', '{"n":2}', 3, 0, 503, 'HTTP 503');
  insert.run('ha_event', 'b@s.whatsapp.net', 'M3', 'msg_3', '{"n":3}', 1, 1, 404, 'HTTP 404');
  old.prepare("INSERT INTO auth_creds (id, value) VALUES (1, '{}')").run();
  old.close();

  const db = openDatabase(dataDir);
  try {
    assert.equal(db.pragma('user_version', { simple: true }), 10);
    assert.ok(
      (db.prepare('SELECT name FROM pragma_table_info(?)').all('media_files') as Array<{ name: string }>).some((c) => c.name === 'file_name'),
      'media_files has the sender file name (Content-Disposition)',
    );
    assert.ok(
      (db.prepare('SELECT name FROM pragma_table_info(?)').all('media_jobs') as Array<{ name: string }>).some((c) => c.name === 'released_to'),
      'media_jobs remembers where a message went ahead of its file',
    );
    assert.deepEqual(
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('media_jobs', 'media_files', 'polls', 'sent_messages', 'directory_groups', 'directory_contacts', 'assist_conversations') ORDER BY name",
        )
        .all(),
      [
        { name: 'assist_conversations' },
        { name: 'directory_contacts' },
        { name: 'directory_groups' },
        { name: 'media_files' },
        { name: 'media_jobs' },
        { name: 'polls' },
        { name: 'sent_messages' },
      ],
    );
    assert.equal(db.pragma('page_size', { simple: true }), 1024, 'rewritten with small pages');
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.match(String((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get() as { sql: string }).sql), /seq INTEGER PRIMARY KEY,/);
    assert.doesNotMatch(String((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get() as { sql: string }).sql), /AUTOINCREMENT/);
    const columns = (db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>).map((c) => c.name);
    assert.ok(!columns.includes('last_status') && !columns.includes('last_error'), `columns left: ${columns.join(', ')}`);
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'seen_messages_seen_at'").all(), []);
    assert.deepEqual(db.prepare('SELECT message_id, destination, attempts, dead, body FROM outbox ORDER BY seq').all(), [
      { message_id: 'M1', destination: 'webhook', attempts: 0, dead: 0, body: '{"n":1}' },
      { message_id: 'M2', destination: 'webhook', attempts: 3, dead: 0, body: '{"n":2}' },
      { message_id: 'M3', destination: 'ha_event', attempts: 1, dead: 1, body: '{"n":3}' },
    ]);
    assert.deepEqual(db.prepare('SELECT value FROM auth_creds').all(), [{ value: '{}' }], 'the pairing is kept');
  } finally {
    db.close();
  }
});
