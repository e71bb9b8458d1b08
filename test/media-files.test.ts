import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { MediaFiles } from '../src/media/media-files.js';
import { mediaFilePath } from '../src/media/media-path.js';
import { MediaRetention } from '../src/media/media-retention.js';
import { openDatabase } from '../src/state/database.js';

const FOLDER = '/media/whatsapp';
const at = Date.UTC(2026, 11, 1, 9, 30) / 1000;

test('a received file is named <folder>/<chat>/<YYYY-MM-DD>_<id>[_<name>].<ext>', () => {
  assert.equal(
    mediaFilePath(FOLDER, { chat: '4917600000001@s.whatsapp.net', messageId: '3EB0ABC', timestamp: at, kind: 'image', mimetype: 'image/jpeg', fileName: null }),
    '/media/whatsapp/4917600000001/2026-12-01_3EB0ABC.jpg',
  );
  assert.equal(
    mediaFilePath(FOLDER, {
      chat: '120363000000000001@g.us',
      messageId: 'ID2',
      timestamp: at,
      kind: 'document',
      mimetype: 'application/pdf',
      fileName: 'Invoice March.pdf',
    }),
    '/media/whatsapp/120363000000000001/2026-12-01_ID2_Invoice_March.pdf',
  );
  assert.equal(
    mediaFilePath(FOLDER, { chat: 'a@s.whatsapp.net', messageId: 'V', timestamp: at, kind: 'audio', mimetype: 'audio/ogg; codecs=opus', fileName: null }),
    '/media/whatsapp/a/2026-12-01_V.ogg',
  );
});

test("the extension follows the file's type; a page a browser would run ends in .txt", () => {
  const path = (mimetype: string | null, fileName: string | null, kind: 'image' | 'document' = 'document') =>
    basename(mediaFilePath(FOLDER, { chat: 'a@s.whatsapp.net', messageId: 'X', timestamp: at, kind, mimetype, fileName }));
  assert.equal(path('application/pdf', 'photo.jpg'), '2026-12-01_X_photo.pdf', 'the type wins over the name');
  assert.equal(path('image/svg+xml', null, 'image'), '2026-12-01_X.svg.txt');
  assert.equal(path('text/html', 'page.html'), '2026-12-01_X_page.html.txt');
  assert.equal(path('application/octet-stream', 'trap.svg'), '2026-12-01_X_trap.svg.txt', 'an active extension from the name');
  assert.equal(path('application/zip', 'archive.zip'), '2026-12-01_X_archive.zip', 'a type without a known extension keeps the name');
});

test('names that come from WhatsApp cannot leave the folder, hide the file or clash', () => {
  const hostile = [
    '../../../etc/passwd',
    '..',
    '.bashrc',
    '/etc/shadow',
    'a/../../b.txt',
    'C:\\Windows\\x.exe',
    '\u0000nul.txt',
    'x'.repeat(500) + '.pdf',
    'ünïcødé 文件.docx',
    '.',
  ];
  const paths = new Set<string>();
  for (const fileName of hostile) {
    const path = mediaFilePath(FOLDER, {
      chat: '../../4917600000001@s.whatsapp.net',
      messageId: `../ID${paths.size}`,
      timestamp: at,
      kind: 'document',
      mimetype: null,
      fileName,
    });
    const inside = relative(FOLDER, path);
    assert.ok(!inside.startsWith('..') && !inside.includes('/../'), `${fileName} -> ${path} leaves the folder`);
    assert.equal(inside.split('/').length, 2, `${fileName} -> ${path}: one chat folder, then the file`);
    assert.ok(!basename(path).startsWith('.'), `${fileName} -> ${path} is hidden`);
    assert.ok(basename(path).length < 120, `${fileName} -> ${path} is too long`);
    assert.match(basename(path), /^[A-Za-z0-9_.-]+$/, `${fileName} -> ${path} has unsafe characters`);
    paths.add(path);
  }
  assert.equal(paths.size, hostile.length, 'every message has its own file');
  const same = (id: string) =>
    mediaFilePath(FOLDER, { chat: 'a@s.whatsapp.net', messageId: id, timestamp: at, kind: 'document', mimetype: null, fileName: 'report.pdf' });
  assert.notEqual(same('ONE'), same('TWO'), 'the same name from two messages does not clash');
});

function savedFiles(count: number, size: number, savedAt: (i: number) => number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-media-'));
  const folder = join(dataDir, 'media', 'chat');
  mkdirSync(folder, { recursive: true });
  const db = openDatabase(dataDir);
  const files = new MediaFiles(db);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `file${i}.bin`);
    writeFileSync(path, Buffer.alloc(size, i));
    files.add({ chat: 'chat', messageId: `M${i}`, path, mimetype: 'application/octet-stream', fileName: null, size, savedAt: savedAt(i) });
    paths.push(path);
  }
  return { db, files, paths };
}

const DAY = 24 * 60 * 60 * 1000;
const options = (o: Partial<{ keepDays: number; maxTotalBytes: number }>) => ({
  download: true,
  folder: '/unused',
  maxBytes: 1e9,
  keepDays: 30,
  maxTotalBytes: 1e12,
  waitMs: 30_000,
  ...o,
});

test('retention removes files older than media_keep_days, and keeps everything with 0', async () => {
  const now = Date.now();
  const { db, files, paths } = savedFiles(6, 10, (i) => now - i * 10 * DAY); // 0, 10, ..., 50 days old
  const keepAll = new MediaRetention({ files, options: options({ keepDays: 0 }), logger: pino({ level: 'silent' }) });
  await keepAll.schedule();
  assert.equal(files.totals().files, 6, 'media_keep_days 0 keeps everything');
  const retention = new MediaRetention({ files, options: options({ keepDays: 25 }), logger: pino({ level: 'silent' }) });
  await retention.schedule();
  assert.deepEqual(
    paths.map((p) => existsSync(p)),
    [true, true, true, false, false, false],
  );
  assert.deepEqual(files.totals(), { files: 3, bytes: 30 });
  assert.equal(files.find('chat', 'M3'), null, 'a removed file is no longer served');
  assert.ok(files.find('chat', 'M2'));
  db.close();
});

test('retention removes the oldest files first while the total exceeds media_max_total', async () => {
  const now = Date.now();
  const { db, files, paths } = savedFiles(120, 1000, (i) => now - (120 - i) * 1000); // file0 is the oldest
  const retention = new MediaRetention({ files, options: options({ maxTotalBytes: 50_500 }), logger: pino({ level: 'silent' }) });
  await retention.schedule();
  assert.deepEqual(files.totals(), { files: 50, bytes: 50_000 });
  assert.ok(
    paths.slice(0, 70).every((p) => !existsSync(p)),
    'the 70 oldest are gone',
  );
  assert.ok(
    paths.slice(70).every((p) => existsSync(p)),
    'the 50 newest stay',
  );
  db.close();
});
