import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { samplePng } from '../../simulator/index.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { mediaBridge, type MediaBridge } from '../support/media-bridge.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const octal = (mode: number) => `0${mode.toString(8)}`;

/** A push name and a message id as a hostile contact's client would set them: a forged log line, colours, a cleared screen. */
const FORGED = '\r\n[2026-01-01 00:00:00] ERROR: forged line\x1b[31m red\x1b[2J';

/**
 * The files the app writes are its own (0600, folders 0700), new or left by an older version,
 * and what a contact chose cannot forge a line of its log: the real daemon, Baileys, the
 * simulator's HTTPS media host, real files.
 */
describe('private files and a log contacts cannot forge', () => {
  let s: MediaBridge;

  before(async () => {
    s = await mediaBridge({ log_level: 'debug', forward_groups: false });
  });
  after(() => s?.close());

  const stateFile = () => join(s.daemon.dataDir, DATABASE_FILE);

  test('a new state file and its -wal and -shm are 0600', () => {
    for (const suffix of ['', '-wal', '-shm']) assert.equal(octal(modeOf(stateFile() + suffix)), '0600', `${DATABASE_FILE}${suffix}`);
  });

  test('a saved media file is 0600 in a 0700 chat folder', async () => {
    const alice = s.sim.contact({ phone: '4917600000031', pushName: 'Alice' });
    const { id } = await s.sim.sendMedia(alice, { kind: 'image', data: samplePng(), mimetype: 'image/png' });
    const { media } = await s.payload(id);
    assert.equal(octal(modeOf(media.path)), '0600', media.path);
    assert.equal(octal(modeOf(dirname(media.path))), '0700', 'the chat folder');
  });

  test("an older version's 0644 files and 0755 folders are tightened once at start", async () => {
    const alice = s.sim.contact({ phone: '4917600000032', pushName: 'Alice' });
    const { id } = await s.sim.sendMedia(alice, { kind: 'document', data: Buffer.from('minutes of the meeting'), fileName: 'minutes.txt' });
    const { media } = await s.payload(id);
    await s.restart('SIGTERM', (dataDir) => {
      // As 0.4 left them: SQLite's and Node's default modes, and a state file that never tightened anything.
      const db = new Database(join(dataDir, DATABASE_FILE));
      db.prepare("DELETE FROM meta WHERE key = 'media_private_modes'").run();
      db.close();
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(join(dataDir, DATABASE_FILE + suffix))) chmodSync(join(dataDir, DATABASE_FILE + suffix), 0o644);
      chmodSync(media.path, 0o644);
      chmodSync(dirname(media.path), 0o755);
      chmodSync(s.mediaFolder, 0o755);
    });
    for (const suffix of ['', '-wal', '-shm']) assert.equal(octal(modeOf(stateFile() + suffix)), '0600', `${DATABASE_FILE}${suffix} after the start`);
    await s.daemon.waitForLog(/INFO: Made 3 saved media file\(s\) and folder\(s\) readable by the app only\./);
    assert.equal(octal(modeOf(media.path)), '0600');
    assert.equal(octal(modeOf(dirname(media.path))), '0700');
    assert.equal(octal(modeOf(s.mediaFolder)), '0700');
    // Once: a file made readable again by the user afterwards is left as they set it.
    chmodSync(media.path, 0o640);
    await s.restart('SIGTERM');
    assert.equal(octal(modeOf(media.path)), '0640');
    assert.ok(!s.daemon.lines.some((l) => /readable by the app only/.test(l)));
  });

  test('a push name and a message id with CR/LF and ANSI escapes appear as one escaped line', async () => {
    const eve = s.sim.contact({ phone: '4917600000033', pushName: `Eve${FORGED}` });
    const group = s.sim.group({ subject: 'Club', participants: [eve] });
    const id = `3EB0EVE${FORGED}`;
    await s.sim.sendText(eve, 'hello', { group, id, pushName: `Eve${FORGED}` });
    const line = await s.daemon.waitForLog(/DEBUG: Not forwarding 3EB0EVE/, 15_000);
    assert.ok(line.includes('Not forwarding 3EB0EVE\\r\\n[2026-01-01 00:00:00] ERROR: forged line\\x1b[31m red\\x1b[2J from '), line);
    for (const l of s.daemon.lines) {
      assert.doesNotMatch(l, /^\[2026-01-01 00:00:00\]|\x1b|\r/, `a forged or raw line: ${JSON.stringify(l.slice(0, 120))}`);
    }
  });
});
