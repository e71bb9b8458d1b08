import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { WaSimulator } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import { until } from '../../simulator/waits.js';
import { readEnvironment } from '../../src/config/environment.js';
import { parseOptions } from '../../src/config/options.js';
import { BridgeRunner } from '../../src/bridge-runner.js';
import { isCorruption } from '../../src/state/corruption.js';
import { DATABASE_FILE, openDatabase } from '../../src/state/database.js';
import type { StatusReport } from '../../src/web/status-report.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { fakeSupervisor } from '../support/fake-supervisor.js';
import { pairedDaemon } from '../support/paired-bridge.js';

/**
 * Damages a state file that a running daemon holds open, so that its own connection cannot miss
 * it despite its page cache: through the write-ahead log, `table`'s b-tree is pointed at
 * `target`'s root page (a page of the other kind: table vs. index) and the schema version moves,
 * so the daemon's next statement on `table` reads the new schema and fails with SQLITE_CORRUPT.
 */
function misdirect(file: string, table: string, target: string): void {
  const db = new Database(file);
  try {
    db.unsafeMode(true); // better-sqlite3 runs SQLite in defensive mode, which forbids writable_schema
    db.transaction(() => {
      const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(target) as number;
      const version = db.pragma('schema_version', { simple: true }) as number;
      db.pragma('writable_schema = ON');
      db.prepare('UPDATE sqlite_master SET rootpage = ? WHERE name = ?').run(root, table);
      db.pragma(`schema_version = ${version + 1}`);
      db.pragma('writable_schema = OFF');
    }).immediate(); // the write lock first: a deferred transaction cannot upgrade past the daemon's commits
  } finally {
    db.close();
  }
}

const pageStatus = async (baseUrl: string): Promise<StatusReport> => (await fetch(new URL('api/status', baseUrl))).json() as Promise<StatusReport>;
const stateProblem = (status: StatusReport) => status.problems.find((p) => p.option === 'state_file')?.message ?? '';
const setAside = (dataDir: string) => readdirSync(dataDir).filter((f) => /^whatsapp-bridge\.db\.damaged-[\dT-]+Z$/.test(f));
const NOTICE =
  /^The state file was damaged and was set aside as whatsapp-bridge\.db\.damaged-\d{4}-\d\d-\d\dT[\d-]+Z \(kept for inspection\); the app started with a new one: link WhatsApp again\.$/;

/** The daemon's log has no stack trace, no crash and no other complaint about the damage. */
function assertCleanLog(daemon: BridgeProcess): void {
  const log = daemon.lines.join('\n');
  assert.doesNotMatch(log, /^\s+at \S/m, 'no stack trace');
  assert.doesNotMatch(log, / FATAL: |Unexpected error|did not stop cleanly|could not be recorded|Web UI request failed/, 'nothing else complains');
}

test('isCorruption recognises SQLite\'s "damaged" codes, and nothing else', () => {
  const { SqliteError } = Database;
  for (const code of ['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB', 'SQLITE_NOTADB']) {
    assert.equal(isCorruption(new SqliteError('x', code)), true, code);
  }
  for (const code of ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CORRUPTED', 'ENOSPC']) {
    assert.equal(isCorruption(new SqliteError('x', code)), false, code);
  }
  for (const other of [new Error('database is locked'), null, undefined, 'SQLITE_CORRUPT', 42]) assert.equal(isCorruption(other), false, String(other));
  assert.equal(isCorruption(new Error('database disk image is malformed')), true, "SQLite's message, without a code");

  // What real statements throw: a misdirected table of a live file, and a file that is no database.
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-corrupt-unit-'));
  const db = openDatabase(dataDir);
  const insert = db.prepare('INSERT OR IGNORE INTO seen_messages (chat, id, seen_at) VALUES (?, ?, 1)');
  insert.run('chat', 'before');
  misdirect(join(dataDir, DATABASE_FILE), 'seen_messages', 'meta');
  assert.throws(
    () => insert.run('chat', 'after'),
    (error: Error & { code: string }) => error.code === 'SQLITE_CORRUPT' && isCorruption(error),
  );
  db.close();
  const notADatabase = join(dataDir, 'random.db');
  writeFileSync(notADatabase, randomBytes(8192));
  assert.throws(
    () => new Database(notADatabase).pragma('user_version'),
    (error: Error & { code: string }) => error.code === 'SQLITE_NOTADB' && isCorruption(error),
  );
});

test('SQLite finds the state file damaged while running (the intake commit): one line, set aside, a new file, a new QR; damaged again at once: only the page, no loop', async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const daemon = await pairedDaemon({ sim, receiver });
  const { dataDir } = daemon;
  const file = join(dataDir, DATABASE_FILE);
  const pid = daemon.child.pid;
  try {
    const alice = sim.contact({ phone: '4917600000071', pushName: 'Alice' });
    const first = await sim.sendText(alice, 'before the damage');
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === first.id));

    // seen_messages (the intake's first write) now points at the meta table's page.
    misdirect(file, 'seen_messages', 'meta');
    const lost = await sim.sendText(alice, 'while the file is damaged');
    const fresh = await until('the QR of a new start, with the notice', async () => {
      const s = await pageStatus(daemon.ingressUrl);
      return s.state === 'qr' && s.qr && NOTICE.test(stateProblem(s)) ? s : undefined;
    });

    assert.equal(daemon.child.exitCode, null, 'the daemon is still running');
    assert.equal(daemon.child.pid, pid, 'the same process');
    const damagedLines = daemon.lines.filter((l) => /The state file is damaged/.test(l));
    assert.equal(damagedLines.length, 1, `one log line:\n${daemon.lines.join('\n')}`);
    assert.match(
      damagedLines[0]!,
      / ERROR: The state file is damaged: SQLite reported "database disk image is malformed" \(SQLITE_CORRUPT\) while storing a message\. The app sets it aside as whatsapp-bridge\.db\.damaged-[\dT-]+Z and starts again with a new one: link WhatsApp again\.$/,
    );
    assert.ok(stateProblem(fresh).includes(/aside as (\S+) /.exec(damagedLines[0]!)![1]!), 'the page names the file the log names');
    assert.equal(fresh.me, null, 'the new file holds no pairing');
    assertCleanLog(daemon);
    assert.ok(!sim.recorded.receipts.some((r) => r.ids.includes(lost.id)), 'the message that met the damage got no receipt');

    const aside = setAside(dataDir);
    assert.equal(aside.length, 1, `set aside once: ${readdirSync(dataDir)}`);
    assert.ok(readdirSync(dataDir).includes(DATABASE_FILE), 'a new state file');
    const kept = new Database(join(dataDir, aside[0]!), { readonly: true });
    assert.notEqual(kept.pragma('quick_check', { simple: true }), 'ok', 'the file set aside is the damaged one');
    kept.close();

    // Linking again from the page works, and messages flow on the new file.
    await sim.pairWithQr(fresh.qr!);
    await until('connected again', async () => (await pageStatus(daemon.ingressUrl)).state === 'connected');
    const after = await sim.sendText(alice, 'after linking again');
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === after.id), 15_000, 'a message on the new file');

    // The new file damaged too, right away: no second restart, the page explains.
    misdirect(file, 'seen_messages', 'meta');
    await sim.sendText(alice, 'the new file is damaged too');
    const unavailable = await until('the page alone', async () => {
      const s = await pageStatus(daemon.ingressUrl);
      return s.state === 'unavailable' ? s : undefined;
    });
    assert.match(
      stateProblem(unavailable),
      /damaged again right after it was replaced .*The disk of the Home Assistant host is probably failing: check it, then restart the app\./,
    );
    assert.equal(setAside(dataDir).length, 2, 'the second file is set aside too');
    assert.ok(!readdirSync(dataDir).includes(DATABASE_FILE), 'and no third one is started');
    assert.equal(daemon.lines.filter((l) => / ERROR: The new state file is damaged too, \d+ s after it was started/.test(l)).length, 1);
    assert.equal(daemon.lines.filter((l) => /Web UI listening/.test(l)).length, 3, 'the page came back once per start, and the app stopped there');
    assert.equal(daemon.child.exitCode, null, 'still running: no crash loop');
    assertCleanLog(daemon);
  } finally {
    const { code } = await daemon.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
    assert.equal(code, 0, `a clean stop:\n${daemon.lines.slice(-5).join('\n')}`);
  }
});

test('SQLite finds the state file damaged while a delivery is recorded (the dispatcher): the same recovery', async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const daemon = await pairedDaemon({ sim, receiver });
  try {
    const bob = sim.contact({ phone: '4917600000072', pushName: 'Bob' });
    const first = await sim.sendText(bob, 'before the damage');
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === first.id));
    await until('the first delivery recorded', async () => (await pageStatus(daemon.ingressUrl)).webhook.counters.delivered === 1);

    // The delivery log now points at an index's page. Successes are written to it in batches, a
    // failed attempt at once: the receiver refuses the next message, so its attempt is recorded now.
    misdirect(join(daemon.dataDir, DATABASE_FILE), 'delivery_log', 'sqlite_autoindex_meta_1');
    receiver.respondWith((r) => ({ status: r.json?.content === 'refused, and not recorded' ? 503 : 200 }));
    const second = await sim.sendText(bob, 'refused, and not recorded');
    await receiver.waitFor(() => receiver.failed.some((p) => p.json?.id === second.id), 10_000, 'the webhook got it before the record failed');
    const fresh = await until('the QR of a new start, with the notice', async () => {
      const s = await pageStatus(daemon.ingressUrl);
      return s.state === 'qr' && NOTICE.test(stateProblem(s)) ? s : undefined;
    });
    assert.ok(fresh.qr);
    assert.equal(daemon.child.exitCode, null);
    const damagedLines = daemon.lines.filter((l) => /The state file is damaged/.test(l));
    assert.equal(damagedLines.length, 1, daemon.lines.join('\n'));
    assert.match(damagedLines[0]!, /SQLite reported "database disk image is malformed" \(SQLITE_CORRUPT\) while recording a delivery to the webhook\./);
    assert.equal(setAside(daemon.dataDir).length, 1);
    assertCleanLog(daemon);
  } finally {
    await daemon.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});

test('after the restart Home Assistant hears whatsapp_bridge_connection as on any start (qr_required)', async () => {
  const supervisor = await fakeSupervisor();
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-corrupt-ha-'));
  // As the in-process harness does: the Supervisor's variables, but the page on loopback.
  const env = {
    ...readEnvironment({ DATA_DIR: dataDir, INGRESS_PORT: '0', API_PORT: '0', WA_WEBSOCKET_URL: sim.url, ...supervisor.env }),
    ingressHost: '127.0.0.1',
    ingressAllowedClient: '127.0.0.1',
    apiHost: '127.0.0.1',
  };
  const parsed = parseOptions(webhookOptions(receiver.url, { ha_event_enabled: true, media_download: false }), { supervisorAvailable: true });
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const runner = new BridgeRunner({ env, parsed, logger }, (error) => assert.fail(`the runner gave up: ${String(error)}`));
  const { ingressPort } = await runner.start();
  const url = `http://127.0.0.1:${ingressPort}/`;
  const connectionStates = () => supervisor.events('whatsapp_bridge_connection').map((e) => e.state);
  try {
    const status = await StatusStream.open(url);
    await sim.pairWithQr(await status.nextQr());
    await status.waitForState('connected', 15_000);
    status.close();
    await supervisor.receiver.waitFor(() => connectionStates().includes('connected'), 10_000, 'connected');

    misdirect(join(dataDir, DATABASE_FILE), 'seen_messages', 'meta');
    await sim.sendText(sim.contact({ phone: '4917600000073' }), 'meets the damage');
    await supervisor.receiver.waitFor(() => connectionStates().length >= 3, 20_000, 'the new start reports');
    assert.deepEqual(connectionStates(), ['qr_required', 'connected', 'qr_required']);
    const s = await pageStatus(url);
    assert.equal(s.state, 'qr');
    assert.match(stateProblem(s), NOTICE);
    assert.equal(lines.filter((l) => l.includes('The state file is damaged')).length, 1);
  } finally {
    await runner.stop();
    await sim.stop();
    await receiver.close();
    await supervisor.receiver.close();
  }
});
