import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { webhookOptions } from '../../simulator/harness/webhook-options.js';
import { pairedDaemon } from '../support/paired-bridge.js';

/** Starts the daemon on `dataDir` and reads its first status from the page. */
async function startOn(dataDir: string, sim: WaSimulator, receiver: TestReceiver, keepOptions = false) {
  // keepOptions: the options.json already there (a read-only data folder cannot take a new one).
  const daemon = await BridgeProcess.start({ options: keepOptions ? null : webhookOptions(receiver.url), waUrl: sim.url, dataDir });
  assert.ok(daemon.ingressUrl, `the page is served:\n${daemon.lines.join('\n')}`);
  const status = async () => (await fetch(new URL('api/status', daemon.ingressUrl))).json();
  return { daemon, status };
}

const stateProblem = (status: any) => status.problems.find((p: { option: string }) => p.option === 'state_file')?.message ?? '';

test('a damaged state file (random bytes, or a real one cut in half) is set aside, the app starts fresh and links again', async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  try {
    for (const damage of ['random bytes', 'truncated'] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), 'wab-damaged-'));
      if (damage === 'random bytes') {
        writeFileSync(join(dataDir, DATABASE_FILE), randomBytes(64 * 1024));
      } else {
        const paired = await pairedDaemon({ sim, receiver, dataDir });
        await paired.kill('SIGTERM');
        truncateSync(join(dataDir, DATABASE_FILE), Math.floor(statSync(join(dataDir, DATABASE_FILE)).size / 2));
      }
      const { daemon, status } = await startOn(dataDir, sim, receiver);
      try {
        await daemon.waitForLog(/Scan this QR code/, 15_000);
        const s = await status();
        assert.equal(s.state, 'qr', `${damage}: a fresh start asks to link again`);
        assert.match(
          stateProblem(s),
          /The state file was damaged and was set aside as whatsapp-bridge\.db\.damaged-\d{4}-\d\d-\d\dT[\d-]+Z .*link WhatsApp again/,
        );
        assert.ok(
          daemon.lines.some((l) => / WARN: The state file was damaged and was set aside/.test(l)),
          'one log line says so',
        );
        assert.ok(!daemon.lines.some((l) => /FATAL/.test(l)));
        const aside = readdirSync(dataDir).filter((f) => f.startsWith(`${DATABASE_FILE}.damaged-`));
        assert.ok(aside.length >= 1, `${damage}: the damaged file is kept (${readdirSync(dataDir)})`);
        await sim.pairWithQr(s.qr);
        await daemon.waitForLog(/Connected to WhatsApp/, 15_000);
      } finally {
        await daemon.kill('SIGTERM');
      }
    }
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test("a file from a newer version, or someone else's SQLite file, is left untouched; the page explains, nothing links", async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  try {
    const cases: Array<[string, (db: Database.Database) => void, RegExp]> = [
      [
        'a newer version',
        (db) => db.exec('PRAGMA application_id = 1463894610; PRAGMA user_version = 99; CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)'),
        /newer version of this app \(schema 99, this version knows \d+\)\. This version leaves it untouched and does not link/,
      ],
      [
        'a foreign file with its own meta table',
        (db) => db.exec("CREATE TABLE meta (k, v); INSERT INTO meta VALUES ('theirs', 1)"),
        /not this app's state file \(it holds the tables meta\); the app leaves it untouched\. To start fresh, uninstall and reinstall/,
      ],
      [
        'a foreign file without clashing tables',
        (db) => db.exec('CREATE TABLE notes (text); INSERT INTO notes VALUES (1)'),
        /not this app's state file \(it holds the tables notes\)/,
      ],
    ];
    for (const [what, make, explained] of cases) {
      const dataDir = mkdtempSync(join(tmpdir(), 'wab-foreign-'));
      const file = join(dataDir, DATABASE_FILE);
      const db = new Database(file);
      make(db);
      db.close();
      const before = readFileSync(file);
      const connectionsBefore = sim.connectionCount;
      const { daemon, status } = await startOn(dataDir, sim, receiver);
      try {
        const s = await status();
        assert.equal(s.state, 'unavailable', what);
        assert.match(stateProblem(s), explained, what);
        assert.equal(daemon.lines.filter((l) => / ERROR: /.test(l)).length, 1, `${what}: one log line`);
        const posted = await fetch(new URL('api/reconnect', daemon.ingressUrl), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
        assert.equal(posted.status, 409, `${what}: no action while the file is unusable`);
        assert.equal(daemon.child.exitCode, null, `${what}: no crash loop, the app keeps serving the page`);
      } finally {
        await daemon.kill('SIGTERM');
      }
      assert.ok(readFileSync(file).equals(before), `${what}: the file is untouched`);
      assert.deepEqual(readdirSync(dataDir).sort(), ['options.json', DATABASE_FILE].sort(), `${what}: no -wal, no copy`);
      assert.equal(sim.connectionCount, connectionsBefore, `${what}: WhatsApp was not contacted`);
    }
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

const root = process.getuid?.() === 0;

test(
  'a read-only state file system: one line that says what to do, the page says the same, no crash loop',
  { skip: root ? false : 'needs root to mount a read-only tmpfs (CI runs as root)' },
  async () => {
    const sim = await WaSimulator.start();
    const receiver = await TestReceiver.start();
    const mountPoint = mkdtempSync(join(tmpdir(), 'wab-ro-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
    try {
      const dataDir = join(mountPoint, 'data');
      mkdirSync(dataDir);
      const paired = await pairedDaemon({ sim, receiver, dataDir });
      await paired.kill('SIGTERM');
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      const { daemon, status } = await startOn(dataDir, sim, receiver, true);
      try {
        const s = await status();
        assert.equal(s.state, 'unavailable');
        assert.match(stateProblem(s), /cannot be written .*Check the disk of the Home Assistant host/);
        assert.ok(daemon.lines.some((l) => / ERROR: .*cannot be written/.test(l)));
        assert.equal(daemon.child.exitCode, null);
      } finally {
        await daemon.kill('SIGTERM');
      }
    } finally {
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
      await sim.stop();
      await receiver.close();
    }
  },
);
