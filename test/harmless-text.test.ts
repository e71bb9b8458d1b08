import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { until } from '../simulator/waits.js';
import { createLogger } from '../src/logging/logger.js';
import { escapeControls, topicLevel } from '../src/text/harmless-text.js';
import { logQrDrawing } from '../src/whatsapp/linking-helpers.js';

/** A push name as a hostile contact would set it: a forged log line after CR/LF, colours, a cleared screen. */
const FORGING_NAME = 'Eve\r\n[2026-01-01 00:00:00] ERROR: forged line\x1b[31m red\x1b[2J\u009b0m\u2028next\u202egnp.exe';

test('escapeControls shows every line break and terminal control as an escape, and keeps the rest', () => {
  assert.equal(escapeControls(FORGING_NAME), 'Eve\\r\\n[2026-01-01 00:00:00] ERROR: forged line\\x1b[31m red\\x1b[2J\\x9b0m\\u2028next\\u202egnp.exe');
  assert.equal(escapeControls('tab\there\u0000nul\u007fdel\u2066iso\u2069'), 'tab\\there\\x00nul\\x7fdel\\u2066iso\\u2069');
  const plain = 'Anna-Lena Müller 🌻 «Grüße» 北京 \\n (a backslash stays)';
  assert.equal(escapeControls(plain), plain);
});

test('topicLevel passes what the app builds topics from and refuses anything that could change a topic', () => {
  for (const level of ['4915123456789', 'family_group', 'whatsapp_bridge', 'a-b']) assert.equal(topicLevel(level), level);
  for (const bad of ['a/b', '+', '#', 'x\u0000y', '$SYS', '', 'Eve ', 'ü', 'x'.repeat(65)]) {
    assert.throws(() => topicLevel(bad), /Not usable in an MQTT topic/, JSON.stringify(bad));
  }
});

/** The app's real logger writing into a buffer: what the Log tab shows. */
function captureLog(): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { logger: createLogger('debug', out), lines: () => text.split('\n').filter(Boolean) };
}

test('the log: a contact text with CR/LF and ANSI escapes stays on its record line, escaped', () => {
  const { logger, lines } = captureLog();
  logger.info(`Message from ${FORGING_NAME} saved.`);
  logger.warn({ pushName: FORGING_NAME }, 'with an object');
  logger.error(new Error(`download of ${FORGING_NAME} failed`));
  const logged = lines();
  assert.equal(logged.length, 3, logged.join('\n'));
  assert.match(logged[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: Message from Eve\\r\\n\[2026-01-01 00:00:00\] ERROR: forged line\\x1b\[31m red/);
  assert.match(logged[1]!, / WARN: with an object \{"pushName":"Eve\\r\\n\[2026/);
  assert.match(logged[2]!, / ERROR: download of Eve\\r\\n\[2026.* \{"failure":\{"type":"Error","message":"download of Eve\\r\\n/);
  for (const line of logged) assert.doesNotMatch(line, /\x1b|\r/, 'no raw control character reaches the output');
});

test('the log: the QR drawing is the one record of several lines, and only block characters make it', async () => {
  const { logger, lines } = captureLog();
  logQrDrawing('2@hello,world', logger);
  // The drawing library loads on first use.
  await until('the QR drawing', () => lines().length > 0, 5000);
  const logged = lines();
  assert.match(logged[0]!, / INFO: Not linked yet\. Scan this QR code .*Web UI:$/);
  assert.ok(logged.length > 10, 'a drawing of many rows follows');
  for (const row of logged.slice(1)) assert.match(row, /^[ ▀▄█]+$/);
});
