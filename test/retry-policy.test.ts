import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, GIVE_UP_AFTER_MS, nextAttemptAt, parseRetryAfter, retryDelayMs } from '../src/delivery/retry-policy.js';

test('status codes are classified per the Standard Webhooks rules', () => {
  assert.equal(classify(200).kind, 'delivered');
  assert.equal(classify(204).kind, 'delivered');
  assert.equal(classify(null).kind, 'retry');
  for (const s of [301, 408, 429, 500, 502, 503, 504]) assert.equal(classify(s).kind, 'retry', `status ${s}`);
  for (const s of [400, 401, 403, 404, 422]) assert.equal(classify(s).kind, 'dead', `status ${s}`);
  assert.equal(classify(410).kind, 'gone');
});

test('Retry-After is honoured in seconds and as an HTTP date', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  assert.deepEqual(classify(429, '7', now), { kind: 'retry', retryAfterMs: 7000 });
  assert.equal(parseRetryAfter('Sat, 21 Nov 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(nextAttemptAt(now, 1, 7000, now), now + 7000);
});

test('the schedule starts fast and spaces out, with at most 20% jitter', () => {
  const low = () => 0;
  const high = () => 0.999999;
  const expected = [1, 5, 15, 30, 60, 120, 300].map((s) => s * 1000);
  expected.forEach((base, i) => {
    assert.equal(retryDelayMs(i + 1, low), Math.round(base * 0.8));
    assert.ok(retryDelayMs(i + 1, high) <= base * 1.2);
  });
  for (let n = 8; n < 20; n++) {
    const d = retryDelayMs(n);
    assert.ok(d >= 10 * 60_000 * 0.8 && d <= 30 * 60_000 * 1.2, `delay ${d} after ${n} failures`);
  }
});

test('a message failing for three days is dead', () => {
  const created = 0;
  assert.notEqual(
    nextAttemptAt(created, 3, null, GIVE_UP_AFTER_MS - 3600_000, () => 0),
    null,
  );
  assert.equal(
    nextAttemptAt(created, 40, null, GIVE_UP_AFTER_MS - 1000, () => 0.5),
    null,
  );
});
