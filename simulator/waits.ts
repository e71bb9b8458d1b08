import type { EventEmitter } from 'node:events';

/**
 * Resolves when `check` returns a value, re-checking on every emission of the given events; rejects
 * after `timeoutMs` (a guard against hanging tests, not a synchronisation device). The simulator
 * and the project's test helpers all wait with this one function.
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
