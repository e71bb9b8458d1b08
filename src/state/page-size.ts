import type { Db } from './database.js';

/**
 * SQLite writes whole pages: every row a message touches (its seen id, its outbox row and index
 * entry, the Signal session) costs a page in the write-ahead log and again at the checkpoint.
 * 1 KB pages instead of the default 4 KB cut what a message writes to the SD card by more than
 * half (docs/performance.md); the rows are small, so lookups barely get deeper.
 */
export const PAGE_SIZE = 1024;

/** A checkpoint when the write-ahead log reaches 4 MB, as SQLite's default does with 4 KB pages. */
export const WAL_CHECKPOINT_PAGES = 4096;

/**
 * A new file is created with PAGE_SIZE; a file of an earlier version (4 KB pages) is rewritten
 * once (VACUUM, outside WAL mode, which fixes the page size). Left as it is when that fails
 * (too little space for the copy): the app works the same, only writes more.
 */
export function useSmallPages(db: Db): void {
  if ((db.pragma('page_size', { simple: true }) as number) === PAGE_SIZE) return;
  const created = (db.prepare('SELECT COUNT(*) AS n FROM sqlite_master').get() as { n: number }).n > 0;
  if (!created) {
    db.pragma(`page_size = ${PAGE_SIZE}`);
    return;
  }
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.exec('VACUUM');
  } catch {
    // Not enough room for VACUUM's copy: keep the page size this file has.
  }
}
