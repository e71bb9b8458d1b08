import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { WaSimulator } from '../../src/simulator/index.js';
import { DATABASE_FILE } from '../../src/state/database.js';
import { BridgeProcess } from '../support/bridge-process.js';
import { webhookOptions } from '../support/bridge-harness.js';
import { TestReceiver } from '../support/receiver.js';
import { StatusStream } from '../support/status-stream.js';

/**
 * Known gap (issue 4, docs/architecture.md): a hard kill while Baileys catches up on messages that
 * arrived while the bridge was stopped loses messages WhatsApp already has delivery receipts for.
 * Kept as a todo test: it asserts what must hold, reports the loss, and does not fail the run.
 */
test('kill -9 while the offline backlog is processed loses nothing', { todo: 'hard-kill loss during the offline backlog (issue 4)' }, async (t) => {
  const sim = await WaSimulator.start();
  const receiver = await TestReceiver.start();
  let bridge = await BridgeProcess.start({ options: webhookOptions(receiver.url), waUrl: sim.url });
  let stream = await StatusStream.open(bridge.ingressUrl);
  await sim.pairWithQr(await stream.nextQr());
  await stream.waitForState('connected');
  stream.close();
  await bridge.kill('SIGTERM');
  const alice = sim.contact({ phone: '4917600000091' });
  const ids = await sim.sendMany(300, (i) => ({ from: alice, text: `backlog ${i}` }));
  const backlog = new Set(ids);
  let receipted = 0;
  const killed = new Promise<void>((resolve) => sim.events.on('receipt', (r) => {
    receipted += r.ids.filter((id) => backlog.has(id)).length;
    if (receipted >= 50) resolve();
  }));
  bridge = await BridgeProcess.start({ options: webhookOptions(receiver.url), waUrl: sim.url, dataDir: bridge.dataDir });
  await killed;
  await bridge.kill('SIGKILL');
  const db = new Database(join(bridge.dataDir, DATABASE_FILE), { readonly: true });
  const committedAtKill = (db.prepare('SELECT COUNT(*) AS n FROM seen_messages').get() as { n: number }).n;
  db.close();
  bridge = await BridgeProcess.start({ options: webhookOptions(receiver.url), waUrl: sim.url, dataDir: bridge.dataDir });
  stream = await StatusStream.open(bridge.ingressUrl);
  await stream.waitForState('connected', 30000);
  const marker = await sim.sendText(alice, 'marker');
  await receiver.waitFor(() => receiver.accepted.some((p) => p.id === marker.id), 30000);
  stream.close();
  const arrived = new Set(receiver.accepted.map((p) => p.id));
  const lost = ids.filter((id) => !arrived.has(id)).length;
  t.diagnostic(`receipted at kill ${receipted}, committed at kill ${committedAtKill}, lost ${lost}`);
  await bridge.kill('SIGTERM');
  await sim.stop();
  await receiver.close();
  assert.equal(lost, 0, `${lost} of 300 lost`);
});
