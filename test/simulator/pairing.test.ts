import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { memoryAuthState, pairedClient, TestClient } from './helpers.js';

test('QR pairing: pair-success, 515 restart, login, prekey upload, connection open', async () => {
  const sim = await WaSimulator.start();
  try {
    const auth = memoryAuthState();
    const pairing = TestClient.connect(sim, auth);
    const qr = await pairing.qr();
    assert.match(qr, /^https:\/\/wa\.me\/settings\/linked_devices#2@/);
    const scanned = once(sim.events, 'qr-scanned');
    const device = await sim.pairWithQr(qr);
    assert.ok(qr.includes(`#${(await scanned)[0].ref},`));
    assert.equal(await pairing.closed(), 515);
    assert.equal(auth.creds.me?.id, device.jid);
    assert.equal(auth.creds.me?.lid, device.lidJid);
    assert.ok(device.jid.startsWith(`${sim.account.phone}:`));

    const client = TestClient.connect(sim, auth);
    await client.opened();
    await sim.waitForOnline();
    assert.equal(sim.connectionCount, 2);
    assert.deepEqual(sim.recorded.prekeyUploads, [812]);
    assert.deepEqual(sim.devices, [device]);
    client.end();
  } finally {
    await sim.stop();
  }
});

test('login again with saved creds: no QR, and old Signal sessions still decrypt', async () => {
  const sim = await WaSimulator.start();
  try {
    const { auth, client } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const first = await sim.sendText(alice, 'before restart');
    await client.message(first.id);
    client.end();
    await client.closed();

    const again = TestClient.connect(sim, auth);
    await again.opened();
    await sim.waitForOnline();
    assert.equal(
      again.updates.some((u) => u.qr),
      false,
      'no QR on login',
    );
    assert.equal(sim.recorded.prekeyUploads.length, 1, 'prekeys are not uploaded again');
    const second = await sim.sendText(alice, 'after restart');
    const { msg } = await again.message(second.id);
    assert.equal(msg.message?.conversation, 'after restart');
    again.end();
  } finally {
    await sim.stop();
  }
});

test('pairing code: companion_hello, link_code_companion_reg, companion_finish, pair-success, open', async () => {
  const sim = await WaSimulator.start();
  try {
    const auth = memoryAuthState();
    const pairing = TestClient.connect(sim, auth);
    await pairing.qr(); // the socket is registering; now it can ask for a code
    const code = await pairing.sock.requestPairingCode(sim.account.phone);
    assert.match(code, /^[A-Z0-9]{8}$/);
    const device = await sim.pairWithCode(code);
    assert.equal(await pairing.closed(), 515);
    assert.equal(auth.creds.me?.id, device.jid);

    const client = TestClient.connect(sim, auth);
    await client.opened();
    client.end();
  } finally {
    await sim.stop();
  }
});

test('a wrong pairing code is rejected and pairs nothing', async () => {
  const sim = await WaSimulator.start();
  try {
    const pairing = TestClient.connect(sim, memoryAuthState());
    await pairing.qr();
    const code = await pairing.sock.requestPairingCode(sim.account.phone);
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await assert.rejects(sim.pairWithCode(wrong), /pairing code rejected/);
    assert.deepEqual(sim.devices, []);
    pairing.end();
  } finally {
    await sim.stop();
  }
});

test('unlink: 401 now, and the saved creds are refused with 401 afterwards', async () => {
  const sim = await WaSimulator.start();
  try {
    const { auth, client } = await pairedClient(sim);
    await sim.unlink();
    assert.equal(await client.closed(), 401);
    assert.deepEqual(sim.devices, []);

    const again = TestClient.connect(sim, auth);
    assert.equal(await again.closed(), 401);
  } finally {
    await sim.stop();
  }
});

test('a QR that no connected client shows is refused', async () => {
  const sim = await WaSimulator.start();
  try {
    await assert.rejects(sim.pairWithQr('2@nope,AAAA,BBBB,CCCC,1'), /no connected client is showing this QR/);
    await assert.rejects(sim.pairWithQr('not a qr'), /not a WhatsApp pairing QR/);
  } finally {
    await sim.stop();
  }
});
