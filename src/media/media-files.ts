import type { Db } from '../state/database.js';

export interface SavedFile {
  chat: string;
  messageId: string;
  path: string;
  /** The type the bytes showed (see stored-type.ts), safe in a header. */
  mimetype: string | null;
  /** The sender's file name (documents), as they sent it: for Content-Disposition, made safe there. */
  fileName: string | null;
  size: number;
  savedAt: number;
}

interface FileRecord {
  chat: string;
  message_id: string;
  path: string;
  mimetype: string | null;
  file_name: string | null;
  size: number;
  saved_at: number;
}

/**
 * The index of saved files: what GET /api/media/<chat>/<id> serves and what retention removes.
 * A file is found by chat and id together: a message id is chosen by the sender's client, so
 * another contact can send one with the same id.
 */
export class MediaFiles {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      insert: db.prepare<[string, string, string, string | null, string | null, number, number]>(
        'INSERT OR REPLACE INTO media_files (chat, message_id, path, mimetype, file_name, size, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byChatAndId: db.prepare<[string, string], FileRecord>('SELECT * FROM media_files WHERE chat = ? AND message_id = ?'),
      olderThan: db.prepare<[number], FileRecord>('SELECT * FROM media_files WHERE saved_at < ? ORDER BY saved_at'),
      oldest: db.prepare<[number], FileRecord>('SELECT * FROM media_files ORDER BY saved_at LIMIT ?'),
      totals: db.prepare<[], { files: number; bytes: number }>('SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM media_files'),
      remove: db.prepare<[string, string]>('DELETE FROM media_files WHERE chat = ? AND message_id = ?'),
    };
  }

  add(file: SavedFile): void {
    this.statements.insert.run(file.chat, file.messageId, file.path, file.mimetype, file.fileName, file.size, file.savedAt);
  }

  find(chat: string, messageId: string): SavedFile | null {
    const row = this.statements.byChatAndId.get(chat, messageId);
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
  return { chat: r.chat, messageId: r.message_id, path: r.path, mimetype: r.mimetype, fileName: r.file_name, size: r.size, savedAt: r.saved_at };
}
