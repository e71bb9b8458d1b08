import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';

/**
 * Math.random for tests, but replayable: the seed is $TEST_SEED if set, otherwise picked at
 * random, and printed with the test's result so a failing run can be repeated with it.
 */
export function seededRandom(t: TestContext): () => number {
  const seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : randomInt(2 ** 32);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`TEST_SEED must be an integer from 0 to 2^32 - 1, not ${process.env.TEST_SEED}`);
  t.diagnostic(`seed ${seed} (replay: TEST_SEED=${seed} npm test)`);
  return mulberry32(seed);
}

/** Mulberry32: a tiny 32-bit PRNG, plenty for picking moments; returns numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
