import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { samplePng } from '../../simulator/index.js';
import { waitForEvent } from '../../simulator/waits.js';
import { memoryAuthState, TestClient } from './helpers.js';
import { bytesOf, downloadWithBaileys } from './media-helpers.js';

test('CLI: prints the URL, pairs by QR, sends a message and a photo, quits cleanly', { timeout: 20_000 }, async () => {
  const cli = spawn(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', '--port', '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const output = createInterface({ input: cli.stdout });
  output.on('line', (line) => lines.push(line));
  const waitForLine = (pattern: RegExp) =>
    waitForEvent(output, ['line'], () => lines.map((line) => line.match(pattern)).find((match) => match !== null) ?? undefined, 15_000, `a line ${pattern}`);
  try {
    const [, url] = await waitForLine(/WA_WEBSOCKET_URL=(ws:\/\/127\.0\.0\.1:\d+\/ws\/chat)/);
    const [, caFile] = await waitForLine(/NODE_EXTRA_CA_CERTS=(\S+)/);
    const auth = memoryAuthState();
    const pairing = TestClient.connect({ url: url! }, auth);
    cli.stdin.write(`pair ${await pairing.qr()}\n`);
    assert.equal(await pairing.closed(), 515);
    const client = TestClient.connect({ url: url! }, auth);
    await client.opened();
    await waitForLine(/is online/);
    cli.stdin.write('send 4917600000001 hello from the CLI\n');
    const [received] = await client.messages(1, (u) => u.msg.message?.conversation === 'hello from the CLI');
    assert.equal(received!.msg.key?.remoteJidAlt, '4917600000001@s.whatsapp.net');
    cli.stdin.write('photo 4917600000001 - holiday\n');
    const [photo] = await client.messages(1, (u) => u.msg.message?.imageMessage?.caption === 'holiday');
    const [downloaded] = await downloadWithBaileys(caFile!, [{ msg: photo!.msg }]);
    assert.ok(bytesOf(downloaded).equals(samplePng()), 'the generated PNG, byte-identical');
    client.end();
    cli.stdin.write('quit\n');
    const [code] = await once(cli, 'exit');
    assert.equal(code, 0);
  } finally {
    cli.kill();
  }
});
