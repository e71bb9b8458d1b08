import { chmodSync, closeSync, existsSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The state file holds the WhatsApp keys and every queued message: only the app's user reads it. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Creates an empty `path` readable by its owner only, so SQLite opens a private file (it creates
 * a new file 0644, and its -wal and -shm take the main file's mode). An existing file is left alone.
 */
export function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/**
 * Takes group and other permissions off the state file, its -wal and -shm and the copies set
 * aside (`<name>*` in `dataDir`), as versions before 0.5 left them 0644.
 */
export function tightenStateFiles(dataDir: string, name: string): void {
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.startsWith(name)) continue;
    const path = join(dataDir, entry.name);
    if ((statSync(path).mode & 0o077) === 0) continue;
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (error) {
      // Another user's file the app may still write: it works as before, only not tightened.
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }
}
