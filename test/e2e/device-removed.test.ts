import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedBridge } from '../support/paired-bridge.js';
import { sleep } from '../../simulator/waits.js';

/** The absence of a loop can only be shown by waiting: longer than the first backoffs (1, 2 s) together. */
const WAIT_FOR_A_LOOP_MS = 4000;

/**
 * WhatsApp ends the link: `<stream:error code="401"><conflict type="device_removed"/>`, the stanza
 * users see when the phone removed the device or dropped it after about 14 days offline (waha
 * #2136; mautrix-whatsapp #514 quotes the rule). The page, the connection event and the log say
 * that the phone removed the link, what may have caused it and that scanning again is needed, and
 * the bridge opens exactly one new connection, for a QR code: it never tries the old link again.
 */
test('device_removed: explained on /api/status and in the connection event, one new connection for a QR, no retry loop', async () => {
  const s = await pairedBridge({ options: { webhook_events: ['message', 'connection'] } });
  try {
    const before = s.sim.connectionCount;
    let loginsAfter = 0;
    const countLogin = () => loginsAfter++;
    s.sim.events.on('login', countLogin);
    await s.sim.unlink();
    const status = await s.bridge.status.waitFor((st) => st.state === 'qr' && st.relink_reason !== null, 9000, 'a QR with the reason');
    assert.match(status.relink_reason!, /phone removed this link/);
    assert.match(status.relink_reason!, /Linked devices/);
    assert.match(status.relink_reason!, /offline for about 14 days/);
    assert.match(status.relink_reason!, /reinstalled/);
    assert.match(status.relink_reason!, /scan the new QR code/);
    assert.equal(status.last_disconnect?.code, 401);
    assert.equal(status.me, null);

    await sleep(WAIT_FOR_A_LOOP_MS);
    assert.equal(s.sim.connectionCount - before, 1, 'exactly one new connection (the QR registration)');
    assert.equal(loginsAfter, 0, 'the removed link is never tried again');
    assert.equal(s.bridge.status.latest!.state, 'qr');

    await s.receiver.waitFor(() => s.receiver.accepted.some((b) => b.event === 'connection' && b.state === 'qr_required' && b.code === 401));
    const bodies = s.receiver.accepted.filter((b) => b.event === 'connection');
    const loggedOut = bodies.find((b) => b.state === 'logged_out')!;
    assert.equal(loggedOut.code, 401);
    assert.equal(loggedOut.reason, status.relink_reason);
    const qrRequired = bodies.findLast((b) => b.state === 'qr_required')!;
    assert.equal(qrRequired.reason, status.relink_reason, 'the QR that follows says why it is needed');

    // linking again clears the reason
    await s.sim.pairWithQr(status.qr!);
    const linked = await s.bridge.status.waitForState('connected');
    assert.equal(linked.relink_reason, null);
  } finally {
    await s.close();
  }
});
