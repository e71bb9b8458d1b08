import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONVERSATION_KEPT_MS, ConversationStore } from '../src/assist/conversation-store.js';
import { openDatabase } from '../src/state/database.js';

test("Assist's conversations live in the state file while Home Assistant keeps them, and no longer", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wab-assist-conv-'));
  const t0 = 1_800_000_000_000;
  const first = openDatabase(dataDir);
  new ConversationStore(first).remember('4917600000301@s.whatsapp.net', { id: 'conv-a', continuing: true }, t0);
  new ConversationStore(first).remember('self', { id: null, continuing: false }, t0);
  first.close();

  // The file opened again, as after a restart.
  const db = openDatabase(dataDir);
  try {
    const store = new ConversationStore(db);
    assert.deepEqual(store.find('4917600000301@s.whatsapp.net', t0 + 60_000), { id: 'conv-a', continuing: true });
    assert.deepEqual(store.find('self', t0 + 60_000), { id: null, continuing: false });
    assert.equal(store.find('4917600000399@s.whatsapp.net', t0), null, 'a chat that never asked');
    assert.equal(store.find('4917600000301@s.whatsapp.net', t0 + CONVERSATION_KEPT_MS), null, 'silent for 5 minutes: Home Assistant forgot it');

    // The next write deletes the conversations Home Assistant forgot.
    store.remember('120363000000000301@g.us', { id: 'conv-g', continuing: false }, t0 + CONVERSATION_KEPT_MS + 1);
    assert.deepEqual(db.prepare('SELECT chat, conversation_id, continuing FROM assist_conversations').all(), [
      { chat: '120363000000000301@g.us', conversation_id: 'conv-g', continuing: 0 },
    ]);
    store.forget('120363000000000301@g.us');
    assert.equal(store.find('120363000000000301@g.us', t0 + CONVERSATION_KEPT_MS + 2), null, 'forgotten after a failure');
  } finally {
    db.close();
  }
});
