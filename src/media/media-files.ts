import type { Db } from '../state/database.js';

export interface SavedFile {
  chat: string;
  messageId: string;
  path: string;
  mimetype: string | null;
  size: number;
  savedAt: number;
}

interface FileRecord {
  chat: string;
  message_id: string;
  path: string;
  mimetype: string | null;
  size: number;
  saved_at: number;
}

/** The index of saved files: what GET /api/media/<id> serves and what retention removes. */
export class MediaFiles {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      insert: db.prepare<[string, string, string, string | null, number, number]>(
        'INSERT OR REPLACE INTO media_files (chat, message_id, path, mimetype, size, saved_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      byId: db.prepare<[string], FileRecord>('SELECT * FROM media_files WHERE message_id = ? ORDER BY saved_at DESC LIMIT 1'),
      olderThan: db.prepare<[number], FileRecord>('SELECT * FROM media_files WHERE saved_at < ? ORDER BY saved_at'),
      oldest: db.prepare<[number], FileRecord>('SELECT * FROM media_files ORDER BY saved_at LIMIT ?'),
      totals: db.prepare<[], { files: number; bytes: number }>('SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM media_files'),
      remove: db.prepare<[string, string]>('DELETE FROM media_files WHERE chat = ? AND message_id = ?'),
    };
  }

  add(file: SavedFile): void {
    this.statements.insert.run(file.chat, file.messageId, file.path, file.mimetype, file.size, file.savedAt);
  }

  find(messageId: string): SavedFile | null {
    const row = this.statements.byId.get(messageId);
    return row ? toFile(row) : null;
  }

  olderThan(at: number): SavedFile[] {
    return this.statements.olderThan.all(at).map(toFile);
  }

  oldest(limit: number): SavedFile[] {
    return this.statements.oldest.all(limit).map(toFile);
  }

  totals(): { files: number; bytes: number } {
    return this.statements.totals.get()!;
  }

  remove(file: SavedFile): void {
    this.statements.remove.run(file.chat, file.messageId);
  }
}

function toFile(r: FileRecord): SavedFile {
  return { chat: r.chat, messageId: r.message_id, path: r.path, mimetype: r.mimetype, size: r.size, savedAt: r.saved_at };
}
