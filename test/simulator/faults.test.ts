import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { WaSimulator, type StreamFault } from '../../simulator/index.js';
import { pairedClient, TestClient } from './helpers.js';

const streamFaults: [StreamFault, number][] = [
  [401, DisconnectReason.loggedOut],
  [440, DisconnectReason.connectionReplaced],
  [403, DisconnectReason.forbidden],
  [500, DisconnectReason.badSession],
  [515, DisconnectReason.restartRequired],
];

for (const [fault, expected] of streamFaults) {
  test(`streamError(${fault}) closes the client with ${expected}`, async () => {
    const sim = await WaSimulator.start();
    try {
      const { client } = await pairedClient(sim);
      sim.streamError(fault);
      assert.equal(await client.closed(), expected);
    } finally {
      await sim.stop();
    }
  });
}

test('closeSocket(): 428 connectionClosed, and the client can log in again', async () => {
  const sim = await WaSimulator.start();
  try {
    const { auth, client } = await pairedClient(sim);
    sim.closeSocket();
    assert.equal(await client.closed(), DisconnectReason.connectionClosed);
    const again = TestClient.connect(sim, auth);
    await sim.waitForConnection(3);
    await again.opened();
    again.end();
  } finally {
    await sim.stop();
  }
});

test('one device through a series of faults: each reconnect logs in and decrypts, nothing is lost', async () => {
  const sim = await WaSimulator.start();
  try {
    const { auth, client: first } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001' });
    let client = first;
    const faults: [() => void, number][] = [
      [() => sim.closeSocket(), DisconnectReason.connectionClosed],
      [() => sim.streamError(515), DisconnectReason.restartRequired],
      [() => sim.streamError(500), DisconnectReason.badSession],
      [() => sim.streamError(440), DisconnectReason.connectionReplaced],
    ];
    for (const [i, [fault, code]] of faults.entries()) {
      fault();
      assert.equal(await client.closed(), code);
      const whileAway = await sim.sendText(alice, `while away ${i}`);
      client = TestClient.connect(sim, auth);
      assert.equal((await client.message(whileAway.id)).type, 'append');
      const live = await sim.sendText(alice, `live ${i}`);
      assert.equal((await client.message(live.id)).msg.message?.conversation, `live ${i}`);
    }
    assert.equal(sim.connectionCount, 2 + faults.length);
    assert.deepEqual(sim.recorded.prekeyUploads, [812], 'one upload, at the first login');
    client.end();
  } finally {
    await sim.stop();
  }
});

test('goSilent(): 408 connectionLost after keepAliveIntervalMs + 5 s', async () => {
  const sim = await WaSimulator.start();
  try {
    const { client } = await pairedClient(sim, { keepAliveIntervalMs: 500 });
    const silentAt = Date.now();
    sim.goSilent();
    assert.equal(await client.closed(9_000), DisconnectReason.connectionLost);
    assert.ok(Date.now() - silentAt >= 5_500, 'not before the keep-alive deadline');
  } finally {
    await sim.stop();
  }
});

test('refuseConnections(): the WebSocket is reset, Baileys reports 408, nothing is accepted', async () => {
  const sim = await WaSimulator.start();
  try {
    const { auth, client } = await pairedClient(sim);
    client.end();
    await client.closed();
    let refused = 0;
    sim.events.on('refused', () => refused++);
    sim.refuseConnections(60_000);
    const rejected = TestClient.connect(sim, auth);
    assert.equal(await rejected.closed(), DisconnectReason.timedOut);
    assert.equal(refused, 1);
    assert.equal(sim.connectionCount, 2, 'refused connections are not counted');

    sim.refuseConnections(0);
    const again = TestClient.connect(sim, auth);
    await again.opened();
    again.end();
  } finally {
    await sim.stop();
  }
});

test('a second socket on the same creds replaces the first (440 on the old one)', async () => {
  const sim = await WaSimulator.start();
  try {
    const { auth, client } = await pairedClient(sim);
    const second = TestClient.connect(sim, auth);
    assert.equal(await client.closed(), DisconnectReason.connectionReplaced);
    await second.opened();
    second.end();
  } finally {
    await sim.stop();
  }
});
