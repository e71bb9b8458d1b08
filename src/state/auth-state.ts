import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import type { Bus } from '../bus.js';
import { reportIfCorruption } from './corruption.js';
import type { Db } from './database.js';

export interface SqliteAuthState {
  state: AuthenticationState;
  /** Persist the current creds (call on every `creds.update`). */
  saveCreds(): void;
  /** True once the phone has linked this device. */
  isPaired(): boolean;
  /** Forget the pairing and every key, e.g. after a 401; the next socket shows a new QR. */
  wipe(): void;
  /** When the phone linked this device (epoch ms), or null when not paired. */
  pairedAt(): number | null;
  /** Record that the phone linked this device just now. */
  markPaired(at: number): void;
  /** The phone number a LID belongs to, from the mappings Baileys stored, without waiting. */
  phoneForLid(lidUser: string): string | null;
}

/**
 * Baileys' auth state in SQLite. Every `keys.set` is one transaction, so a crash leaves either
 * the old or the new keys, never half of them (the multi-file store can truncate creds.json and
 * silently start a new pairing).
 */
export function useSqliteAuthState(db: Db, bus: Bus | null = null): SqliteAuthState {
  // Baileys catches and logs what its key store throws: a damaged file is reported here, then rethrown.
  const guarded = <R>(fn: () => R): R => {
    try {
      return fn();
    } catch (error) {
      reportIfCorruption(bus, error, "using WhatsApp's keys");
      throw error;
    }
  };
  const readCreds = db.prepare<[], { value: string }>('SELECT value FROM auth_creds WHERE id = 1');
  const writeCreds = db.prepare<[string]>('INSERT INTO auth_creds (id, value) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value');
  const readKey = db.prepare<[string, string], { value: string }>('SELECT value FROM auth_keys WHERE type = ? AND id = ?');
  const writeKey = db.prepare<[string, string, string]>(
    'INSERT INTO auth_keys (type, id, value) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET value = excluded.value',
  );
  const deleteKey = db.prepare<[string, string]>('DELETE FROM auth_keys WHERE type = ? AND id = ?');
  const readPairedAt = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'paired_at'");
  const writePairedAt = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('paired_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const wipeAll = db.transaction(() => {
    db.prepare('DELETE FROM auth_creds').run();
    db.prepare('DELETE FROM auth_keys').run();
    db.prepare("DELETE FROM meta WHERE key = 'paired_at'").run();
  });

  const stored = readCreds.get();
  const creds: AuthenticationCreds = stored ? (JSON.parse(stored.value, BufferJSON.reviver) as AuthenticationCreds) : initAuthCreds();

  const setKeys = db.transaction((data: SignalDataSet) => {
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) {
        if (value === null || value === undefined) deleteKey.run(type, id);
        else writeKey.run(type, id, JSON.stringify(value, BufferJSON.replacer));
      }
    }
  });

  const state: AuthenticationState = {
    creds,
    keys: {
      get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const found: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          const row = guarded(() => readKey.get(type, id));
          if (!row) continue;
          const value = JSON.parse(row.value, BufferJSON.reviver);
          found[id] = type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value) : value;
        }
        return found;
      },
      set(data: SignalDataSet) {
        guarded(() => setKeys(data));
      },
    },
  };

  return {
    state,
    saveCreds() {
      guarded(() => writeCreds.run(JSON.stringify(state.creds, BufferJSON.replacer)));
    },
    isPaired() {
      return Boolean(state.creds.me?.id && state.creds.account);
    },
    wipe() {
      guarded(() => wipeAll());
      state.creds = initAuthCreds();
    },
    pairedAt() {
      const row = guarded(() => readPairedAt.get());
      return row ? Number(row.value) : null;
    },
    markPaired(at: number) {
      guarded(() => writePairedAt.run(String(at)));
    },
    phoneForLid(lidUser: string) {
      const row = guarded(() => readKey.get('lid-mapping', `${lidUser}_reverse`));
      return row ? (JSON.parse(row.value) as string) : null;
    },
  };
}
