import type { Bus } from '../bus.js';

/**
 * True for SQLite's "the file is damaged" results, from any statement: SQLITE_CORRUPT and its
 * extended codes (SQLITE_CORRUPT_INDEX, _SEQUENCE, _VTAB) and SQLITE_NOTADB. better-sqlite3's
 * SqliteError carries the extended code in `code`; an error without one is judged by SQLite's
 * own messages for these codes.
 */
export function isCorruption(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_');
  return typeof message === 'string' && /database disk image is malformed|file is not a database/.test(message);
}

/**
 * Reports a corruption that `error` is on the bus (the runner in bridge-runner.ts takes it from
 * there); returns whether it was one, so a caller can skip its own message about the failure.
 */
export function reportIfCorruption(bus: Bus | null | undefined, error: unknown, during: string): boolean {
  if (!isCorruption(error)) return false;
  bus?.emit('damaged', { error: error as Error, during });
  return true;
}
