import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIRMATION_TTL_MS, UnlinkConfirmation } from '../src/web/unlink-confirmation.js';

const LINK = '4915123456789@s.whatsapp.net';

test('a confirmation unlinks once, for the link it was issued for, within two minutes', () => {
  let now = 1_000_000;
  const confirmations = new UnlinkConfirmation(() => now);
  const { confirmation, expires_in_s } = confirmations.issue(LINK);
  assert.equal(expires_in_s, 120);
  assert.deepEqual(confirmations.take(confirmation, LINK), { ok: true });
  assert.equal(confirmations.take(confirmation, LINK).ok, false, 'used once');

  const late = confirmations.issue(LINK).confirmation;
  now += CONFIRMATION_TTL_MS + 1;
  assert.match(String((confirmations.take(late, LINK) as { error: string }).error), /stale: it expired/);

  const relinked = confirmations.issue(LINK).confirmation;
  const other = confirmations.take(relinked, '4917600000001@s.whatsapp.net');
  assert.deepEqual(other.ok ? null : [other.status, /the link changed/.test(other.error)], [409, true]);

  for (const missing of [undefined, '', 42, null]) {
    const check = confirmations.take(missing, LINK);
    assert.equal(check.ok ? 0 : check.status, 403, String(missing));
  }
  assert.equal(confirmations.take('x'.repeat(24), LINK).ok, false, 'a guessed one');
});
