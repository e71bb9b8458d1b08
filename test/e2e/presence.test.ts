import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaSimulator, type RecordedPresence } from '../../simulator/index.js';
import { sleep, waitForEvent } from '../../simulator/waits.js';
import { pairedClient } from '../simulator/helpers.js';
import { pairedBridge } from '../support/paired-bridge.js';

/**
 * The account must never look online: while a linked device is `available`, WhatsApp stops the
 * phone's notifications. rc14 sent a presence without a type (read as available) on every
 * creds.update once it knew the account's name (Baileys #2553; FaserF/hassio-addons #1091 is the
 * same bug in another Home Assistant app). Every moment that updates the creds is played here
 * through the real daemon: pairing with a Business account's name, a push name arriving in an own
 * message from the phone, a prekey top-up, a restart.
 */
test('every presence the bridge sends is typed unavailable: pairing, name change, prekey top-up, restart', async (t) => {
  const s = await pairedBridge({ simulator: { account: { businessName: 'Sim Shop' } } });
  try {
    const presences = s.sim.recorded.presences as RecordedPresence[];
    const ownPresence = (what: string, matches: (p: RecordedPresence) => boolean) =>
      waitForEvent(s.sim.events, ['presence'], () => presences.some((p) => p.tag === 'presence' && !p.attrs.to && matches(p)) || undefined, 9000, what);
    // Only a pause shows that nothing is sent meanwhile (a bare presence on a later creds.update).
    const settle = () => sleep(1500);
    // Baileys sends its presence right after the connection opened
    await ownPresence('the presence after pairing', () => true);
    const atPairing = presences.length;
    assert.equal((await s.bridge.status.waitFor((st) => st.me?.name === 'Sim Shop')).me?.name, 'Sim Shop', 'the Business name from pair-success');

    const alice = s.sim.contact({ phone: '4917600000031', pushName: 'Alice' });
    await s.sim.sendFromPhone(alice, 'typed on the phone', 'Owner Renamed');
    await s.bridge.status.waitFor((st) => st.me?.name === 'Owner Renamed', 9000, 'the push name from an own message');
    await ownPresence('the presence with the new name', (p) => p.attrs.name === 'Owner Renamed');
    const afterRename = presences.length;

    const uploads = s.sim.recorded.prekeyUploads.length;
    s.sim.lowPreKeys();
    await s.sim.waitForPreKeyUpload(uploads + 1);
    assert.equal(s.sim.recorded.prekeyUploads.length, uploads + 1, 'Baileys topped its prekeys up');
    await settle();

    await s.restart();
    await s.bridge.status.waitForState('connected');
    await settle();

    const own = presences.filter((p) => p.tag === 'presence' && !p.attrs.to);
    t.diagnostic(`presences recorded: ${presences.map((p) => `#${p.connection} <${p.tag} ${JSON.stringify(p.attrs)}>`).join(', ')}`);
    assert.ok(atPairing > 0, 'a presence was sent after pairing');
    assert.ok(afterRename > atPairing, 'a presence was sent for the new name');
    assert.ok(own.length >= 3, `presences at pairing, rename and restart (got ${own.length})`);
    for (const p of own) assert.equal(p.attrs.type, 'unavailable', `every own presence is typed unavailable: ${JSON.stringify(p.attrs)}`);
    // the name WhatsApp shows with the account's messages still reaches it
    assert.ok(own.some((p) => p.attrs.name === 'Owner Renamed'));
  } finally {
    await s.close();
  }
});

/** Typing in one chat (`composing`, then `paused`) is a `<chatstate>` to that chat: the guard leaves it alone. */
test('a chat-addressed composing still leaves the patched client', async () => {
  const sim = await WaSimulator.start({ account: { businessName: 'Sim Shop' } });
  const { client } = await pairedClient(sim);
  try {
    const alice = sim.contact({ phone: '4917600000032', pushName: 'Alice' });
    await client.sock.sendPresenceUpdate('composing', alice.jid);
    await client.sock.sendPresenceUpdate('paused', alice.jid);
    const check = () => (sim.recorded.presences.filter((p) => p.tag === 'chatstate').length >= 2 ? true : undefined);
    await waitForEvent(sim.events, ['presence'], check, 5000, 'two chatstates');
    const states = sim.recorded.presences.filter((p) => p.tag === 'chatstate');
    assert.deepEqual(
      states.map((p) => [p.attrs.to, p.state]),
      [
        [alice.jid, 'composing'],
        [alice.jid, 'paused'],
      ],
    );
    for (const p of sim.recorded.presences.filter((p) => p.tag === 'presence' && !p.attrs.to)) assert.equal(p.attrs.type, 'unavailable');
  } finally {
    client.sock.end(undefined);
    await sim.stop();
  }
});
