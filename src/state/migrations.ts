/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append new steps, never edit old ones: users' databases have already run them.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE auth_creds (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value TEXT NOT NULL
  );
  CREATE TABLE auth_keys (
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (type, id)
  ) WITHOUT ROWID;
  -- Every message ever accepted, so a message WhatsApp delivers twice is forwarded once.
  CREATE TABLE seen_messages (
    chat TEXT NOT NULL,
    id TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (chat, id)
  ) WITHOUT ROWID;
  CREATE INDEX seen_messages_seen_at ON seen_messages (seen_at);
  -- One row per (message, destination) still to deliver, or dead. A row leaves on a 2xx.
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    dead INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_chat_order ON outbox (destination, dead, chat, seq);
  CREATE TABLE delivery_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    at INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    chat TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL
  );
  -- Small facts that outlive a socket: when the device was paired, the generated API token.
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE delivery_counters (
    destination TEXT PRIMARY KEY,
    delivered INTEGER NOT NULL DEFAULT 0
  );
  `,
  // Nothing read these: an attempt's status and error are in delivery_log.
  `
  DROP INDEX seen_messages_seen_at;
  ALTER TABLE outbox DROP COLUMN last_status;
  ALTER TABLE outbox DROP COLUMN last_error;
  `,
  `
  -- Downloads still to do: a media message's outbox rows are held until its job ends.
  CREATE TABLE media_jobs (
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    -- The media part of the message as Baileys downloads it (BufferJSON).
    source TEXT NOT NULL,
    -- The forwarded message whose bodies are rebuilt once the file is saved or has failed.
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    PRIMARY KEY (chat, message_id)
  ) WITHOUT ROWID;
  -- Every saved file, for GET /api/media/<id> and retention.
  CREATE TABLE media_files (
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    path TEXT NOT NULL,
    mimetype TEXT,
    size INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,
    PRIMARY KEY (chat, message_id)
  ) WITHOUT ROWID;
  CREATE INDEX media_files_by_id ON media_files (message_id);
  CREATE INDEX media_files_saved_at ON media_files (saved_at);
  `,
  `
  -- Polls the bridge sent or saw: a vote names its options only as hashes, encrypted with the
  -- poll's secret, so reading it needs the poll.
  CREATE TABLE polls (
    id TEXT PRIMARY KEY,
    chat TEXT NOT NULL,
    question TEXT NOT NULL,
    -- JSON array of the option names, in the poll's order.
    options TEXT NOT NULL,
    -- messageContextInfo.messageSecret (32 bytes).
    secret BLOB NOT NULL,
    -- JSON array of the creator's user JIDs (phone and/or LID, no device).
    creator_jids TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX polls_created_at ON polls (created_at);
  -- Messages sent through the message API: never forwarded back, and their receipts are reported.
  CREATE TABLE sent_messages (
    id TEXT PRIMARY KEY,
    sent_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sent_messages_sent_at ON sent_messages (sent_at);
  `,
  // Without AUTOINCREMENT: it wrote the sqlite_sequence page on every insert (an SD card wears with
  // each page). A new row still gets MAX(seq) + 1, after every row waiting: the order holds.
  `
  CREATE TABLE outbox_new (
    seq INTEGER PRIMARY KEY,
    destination TEXT NOT NULL,
    chat TEXT NOT NULL,
    message_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    dead INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO outbox_new SELECT seq, destination, chat, message_id, delivery_id, body, created_at, attempts, next_attempt_at, dead FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_new RENAME TO outbox;
  CREATE INDEX outbox_chat_order ON outbox (destination, dead, chat, seq);
  CREATE TABLE delivery_log_new (
    seq INTEGER PRIMARY KEY,
    destination TEXT NOT NULL,
    at INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    chat TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL
  );
  INSERT INTO delivery_log_new SELECT * FROM delivery_log;
  DROP TABLE delivery_log;
  ALTER TABLE delivery_log_new RENAME TO delivery_log;
  DELETE FROM sqlite_sequence;
  `,
  `
  -- The destinations a message went to with media.pending (JSON list) while its file still
  -- downloads; null while its rows are held. They get the file's media event when the job ends.
  ALTER TABLE media_jobs ADD COLUMN released_to TEXT;
  `,
  // A saved file is served by chat and id together (a sender chooses the id), with the sender's
  // file name for Content-Disposition.
  `
  DROP INDEX media_files_by_id;
  ALTER TABLE media_files ADD COLUMN file_name TEXT;
  `,
  // A sent message's chat and kind, so an edit, a deletion or a reaction names the right chat
  // and only text is edited; null for messages sent before this step.
  `
  ALTER TABLE sent_messages ADD COLUMN chat TEXT;
  ALTER TABLE sent_messages ADD COLUMN kind TEXT;
  `,
  // The chat directory (src/directory/): the groups the account is in, and the people it heard from.
  `
  CREATE TABLE directory_groups (
    jid TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    members INTEGER NOT NULL,
    admin INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- Keyed by the phone JID when known, else the LID.
  CREATE TABLE directory_contacts (
    jid TEXT PRIMARY KEY,
    phone_jid TEXT,
    lid TEXT,
    push_name TEXT,
    last_message_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Assist's conversation per chat (src/assist/conversation-store.ts), so a restart keeps it while
  // Home Assistant does: its conversation_id, whether the agent asked back, when it was last used.
  `
  CREATE TABLE assist_conversations (
    chat TEXT PRIMARY KEY,
    conversation_id TEXT,
    continuing INTEGER NOT NULL,
    used_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];
