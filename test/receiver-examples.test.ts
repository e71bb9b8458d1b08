import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createHttpClient } from '../src/delivery/http-post.js';
import { WebhookSender } from '../src/delivery/webhook-sender.js';
import { TestReceiver } from './support/receiver.js';

const SECRET = 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const TOKEN = 'receiver-token-1234';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;

/** Starts an example receiver on a free port and resolves with the port once it says it listens. */
function startExample(command: string, args: string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  let out = '';
  const child = spawn(command, args, { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WEBHOOK_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${out}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const listening = /Listening on port (\d+)/.exec(out);
      if (listening) resolve({ child, port: Number(listening[1]), output: () => out });
    });
  });
}

const payload = { sender: '4917600000001@s.whatsapp.net', content: 'Grüße 👋', is_group: false, push_name: 'Alice', raw: {} };

for (const [name, command, file] of [
  ['Node', process.execPath, '../docs/examples/receiver.mjs'],
  ['Python', python, '../docs/examples/receiver.py'],
] as const) {
  test(`the ${name} receiver example accepts a signed delivery and rejects a forged one`, { skip: command ? false : 'python3 not installed' }, async () => {
    const example = await startExample(command!, [here(file)]);
    try {
      const url = new URL(`http://127.0.0.1:${example.port}/hook`);
      const good = new WebhookSender({ enabled: true, url, token: TOKEN, secret: SECRET }, createHttpClient());
      const result = await good.send({ deliveryId: 'msg_example', body: JSON.stringify(payload) });
      assert.equal(result.status, 204, example.output());
      const forged = new WebhookSender({ enabled: true, url, token: TOKEN, secret: 'whsec_' + Buffer.from('another key').toString('base64') }, createHttpClient());
      assert.equal((await forged.send({ deliveryId: 'msg_forged', body: JSON.stringify(payload) })).status, 401);
      const wrongToken = new WebhookSender({ enabled: true, url, token: 'nope', secret: SECRET }, createHttpClient());
      assert.equal((await wrongToken.send({ deliveryId: 'msg_x', body: '{}' })).status, 401);
    } finally {
      example.child.removeAllListeners('exit');
      example.child.kill();
    }
  });
}

test("seed 001's Node and Python verification code accepts the bridge's X-Webhook-Signature unchanged", async () => {
  const receiver = await TestReceiver.start();
  try {
    const sender = new WebhookSender({ enabled: true, url: new URL(receiver.url), token: null, secret: 'your-secret' }, createHttpClient());
    await sender.send({ deliveryId: 'msg_seed', body: JSON.stringify(payload) });
    const request = receiver.requests[0]!;
    const signature = String(request.headers['x-webhook-signature']);

    const { verifySignature } = createRequire(import.meta.url)('./fixtures/seed-001-verify.cjs') as { verifySignature: (p: string, s: string, k: string) => boolean };
    // The seed's Express example re-serialises req.body; the bridge's body is JSON.stringify output, so both agree.
    assert.equal(verifySignature(JSON.stringify(JSON.parse(request.body)), signature, 'your-secret'), true);
    assert.equal(verifySignature(request.body, signature, 'your-secret'), true);

    if (python) {
      const run = spawnSync(python, [here('fixtures/seed_001_verify.py'), signature, 'your-secret'], { input: request.body });
      assert.equal(run.stdout.toString().trim(), 'valid', run.stderr.toString());
      const forged = spawnSync(python, [here('fixtures/seed_001_verify.py'), signature, 'other'], { input: request.body });
      assert.equal(forged.stdout.toString().trim(), 'invalid');
    }
  } finally {
    await receiver.close();
  }
});
