import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';

/**
 * A Baileys `SignalKeyStore` kept in process memory. The simulator uses one per simulated
 * person; tests use one for the client under test. Values are stored as given (no serialisation),
 * which is safe because Baileys always hands over freshly serialised records.
 */
export function memoryKeyStore(): SignalKeyStore {
  const data = new Map<string, Map<string, unknown>>();
  const bucket = (type: string): Map<string, unknown> => {
    let map = data.get(type);
    if (!map) {
      map = new Map();
      data.set(type, map);
    }
    return map;
  };
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const map = bucket(type);
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = map.get(id);
        if (value !== undefined) found[id] = value as SignalDataTypeMap[T];
      }
      return found;
    },
    set(update: SignalDataSet) {
      for (const [type, values] of Object.entries(update)) {
        const map = bucket(type);
        for (const [id, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) map.delete(id);
          else map.set(id, value);
        }
      }
    },
    clear() {
      data.clear();
    },
  };
}
