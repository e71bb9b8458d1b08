import { chmod, stat } from 'node:fs/promises';
import { dirname, parse, relative, resolve, sep } from 'node:path';
import type { Part } from '../lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { Db } from '../state/database.js';

/**
 * Received files are the app's user's only (0600 in 0700 folders): chat folder names are phone
 * numbers, files are private conversations. Home Assistant's Media browser still shows them:
 * Core reads /media as root, and the app writes as root (DOCS.md, "Data and privacy").
 */
export const MEDIA_FILE_MODE = 0o600;
export const MEDIA_FOLDER_MODE = 0o700;

/** Set in the state file once the files of older versions (0644 in 0755 folders) were tightened. */
const DONE_KEY = 'media_private_modes';

/**
 * Tightens, once, what versions before 0.5 saved: every file in the media index, its chat folder
 * and the media folder itself. Only what the app wrote is touched (a media_folder of /media
 * itself leaves /media alone). Runs in the background at start; stop waits for it.
 */
export class PrivateMedia implements Part {
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { db: Db; folder: string; logger: Logger }) {}

  async start(): Promise<void> {
    const { db, logger } = this.deps;
    if (db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(DONE_KEY)) return;
    this.running = this.tighten()
      .then((count) => {
        db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(DONE_KEY, String(Date.now()));
        if (count > 0) logger.info(`Made ${count} saved media file(s) and folder(s) readable by the app only.`);
      })
      .catch((error: Error) => logger.warn(`Could not make the saved media files private: ${error.message}; tried again at the next start.`));
  }

  async stop(): Promise<void> {
    await this.running;
  }

  private async tighten(): Promise<number> {
    const folder = resolve(this.deps.folder);
    const paths = this.deps.db.prepare<[], { path: string }>('SELECT path FROM media_files').all();
    const folders = new Set<string>();
    let count = 0;
    for (const { path } of paths) {
      const inside = relative(folder, resolve(path));
      if (inside.startsWith('..') || inside === '') continue; // saved under another media_folder: not ours to change now
      if (await restrict(path, MEDIA_FILE_MODE)) count++;
      for (let dir = dirname(resolve(path)); dir !== folder && dir.startsWith(folder + sep); dir = dirname(dir)) folders.add(dir);
    }
    // A top-level folder (/media itself) is Home Assistant's, not the app's.
    if (dirname(folder) !== parse(folder).root) folders.add(folder);
    for (const dir of folders) if (await restrict(dir, MEDIA_FOLDER_MODE)) count++;
    return count;
  }
}

/** Sets `mode` when group or others may read; false when it already was private or is gone. */
async function restrict(path: string, mode: number): Promise<boolean> {
  try {
    if (((await stat(path)).mode & 0o077) === 0) return false;
    await chmod(path, mode);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
