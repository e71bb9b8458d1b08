import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WaSimulator } from '../../simulator/index.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { pairedDaemon, startDaemon } from '../support/paired-bridge.js';

const CRASHER = fileURLToPath(new URL('../support/crash-on-first-message.ts', import.meta.url));

/**
 * Baileys saves the advanced Signal session in the same key-store transaction that hands the
 * message over (patches/). A crash before the outbox commit therefore leaves the old session,
 * and the message WhatsApp delivers again can still be decrypted. With the session saved first,
 * the copy would be undecryptable and the message lost.
 */
test('a crash after decrypting but before storing a message leaves it decryptable when WhatsApp delivers it again', async () => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  let bridge = await pairedDaemon({ sim, receiver });
  try {
    await bridge.kill('SIGTERM');

    const alice = sim.contact({ phone: '4917600000095' });
    const { id } = await sim.sendText(alice, 'decrypted, then the crash');
    const crasher = spawn(process.execPath, ['--import', 'tsx', CRASHER], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: bridge.dataDir, WA_WEBSOCKET_URL: sim.url },
      stdio: 'ignore',
    });
    // Times out (AbortError) if the message never reaches the connection.
    const [, signal] = (await once(crasher, 'exit', { signal: AbortSignal.timeout(20_000) })) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL');
    assert.ok(!sim.recorded.receipts.some((r) => r.ids.includes(id)), 'no receipt left before the crash');

    const refused: string[] = [];
    sim.events.on('ack', (ack) => ack.error && refused.push(ack.id));
    bridge = await startDaemon({ sim, receiver, dataDir: bridge.dataDir });
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === id), 20_000, 'the message after the crash');
    assert.deepEqual(refused, [], 'the bridge refused the copy WhatsApp delivered again');
  } finally {
    await bridge.kill('SIGTERM');
    await sim.stop();
    await receiver.close();
  }
});
