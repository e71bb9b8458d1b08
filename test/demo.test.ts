import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sleep } from '../simulator/waits.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('npm run demo pairs by itself, shows the first request whole, then one line per message, and stops on Ctrl+C', async () => {
  // What `npm run demo` runs (package.json: tsx scripts/demo.ts), without npm in between so SIGINT reaches it.
  const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  try {
    const deadline = Date.now() + 60_000;
    // Chats deliver side by side (each in its own order): wait for the group's line as well.
    while (!/Four messages sent/.test(output) || !/\(Bob\): Sent by phone-number addressing/.test(output) || !/\(Bob\): Dinner is ready/.test(output)) {
      assert.ok(Date.now() < deadline, `the demo did not finish its messages in time:\n${output}`);
      assert.equal(demo.exitCode, null, `the demo exited early:\n${output}`);
      await sleep(100);
    }
    const plain = output.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\[receiver\] /gm, '');
    const first = plain.indexOf('First delivery, as this receiver got it:');
    assert.ok(first >= 0, 'the first request is shown whole');
    const block = plain.slice(first);
    assert.match(block, /^POST \/webhook$/m, 'with its request line');
    assert.match(block, /^x-webhook-token: demo-token$/m, "with the seed's token header");
    assert.match(block, /^webhook-id: msg_/m, 'with the idempotency headers');
    assert.match(block, /^content-type: application\/json$/m);
    assert.match(block, /^ {2}"sender": "4917612345678@s\.whatsapp\.net",$/m, 'and the body pretty-printed');
    assert.match(block, /^ {2}"content": "Hi! Is the front door locked\?",$/m);
    assert.equal(plain.split('First delivery').length, 2, 'only the first request is shown whole');
    assert.match(plain, /^4915198765432@s\.whatsapp\.net \(Bob\): Dinner is ready 🍝$/m, 'the rest as short lines');
  } finally {
    if (demo.exitCode === null) {
      demo.kill('SIGINT');
      const [code] = await once(demo, 'exit');
      assert.equal(code, 0, `Ctrl+C stops the demo cleanly:\n${output.slice(-2000)}`);
    }
  }
});
