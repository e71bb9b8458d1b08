// The one place that waits: the simulator, the tests and the benchmarks import waitForEvent,
// until and sleep from here (scripts/ may not import from test/).
import type { EventEmitter } from 'node:events';

/**
 * Resolves when `check` returns a value, re-checking on every emission of the given events; rejects
 * after `timeoutMs` (a guard against hanging tests, not a synchronisation device).
 */
export function waitForEvent<T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any emitter, whatever its event map
  events: EventEmitter<any>,
  names: readonly string[],
  check: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const listener = () => {
      const value = check();
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      for (const name of names) events.off(name, listener);
    };
    for (const name of names) events.on(name, listener);
  });
}

/** Rejects if `promise` has not settled after `timeoutMs`; the timer never outlives the promise. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`simulator: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves after `ms`. Only for a pause whose length is the point: showing that nothing happens
 * meanwhile, letting memory settle, a simulated slow peer. To wait for something, use
 * waitForEvent (an event announces it) or until (nothing does).
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks `probe` every 50 ms until it gives a value (anything but undefined and false), for
 * conditions no event in this process announces (another process's page, a file). A probe that
 * throws counts as "not yet" (a server still starting or restarting); the last error is named if
 * `timeoutMs` passes first.
 */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(50);
  }
}
