import type { EventEmitter } from 'node:events';
import type { SimulatorEvents } from './types.js';

/**
 * Resolves when `check` returns a value, re-checking on every emission of the given events; rejects
 * after `timeoutMs` (a guard against hanging tests, not a synchronisation device).
 */
export function waitForEvent<T>(
	events: EventEmitter<SimulatorEvents>,
	names: readonly (keyof SimulatorEvents)[],
	check: () => T | undefined,
	timeoutMs: number,
	what: string
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
			reject(new Error(`simulator: timed out after ${timeoutMs} ms waiting for ${what}`));
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
