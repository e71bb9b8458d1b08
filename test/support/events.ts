import type { EventEmitter } from 'node:events';

/** Resolves with the first event `name` whose payload passes `check` (or rejects after timeoutMs). */
export function nextEvent<T>(emitter: EventEmitter<any>, name: string, check: (value: T) => boolean = () => true, timeoutMs = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`timed out waiting for a '${name}' event`));
    }, timeoutMs);
    const listener = (value: T) => {
      if (!check(value)) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(value);
    };
    emitter.on(name, listener);
  });
}

/** Resolves once `condition()` holds, re-checking after every `name` event. */
export async function until(emitter: EventEmitter<any>, name: string, condition: () => boolean, timeoutMs = 8000): Promise<void> {
  if (condition()) return;
  await nextEvent(emitter, name, () => condition(), timeoutMs);
}
