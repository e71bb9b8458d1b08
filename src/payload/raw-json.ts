/**
 * A WAMessage as plain JSON: Buffers and byte arrays as base64 strings, protobuf Longs as
 * numbers. (JSON.stringify alone would call protobufjs' toJSON, which writes Longs as strings
 * and enums as names, or dump Buffers as arrays of numbers.)
 */
export function toPlainJson(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (isLong(value)) return value.toNumber();
  if (Array.isArray(value)) return value.map(toPlainJson);
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined || typeof field === 'function') continue;
    plain[key] = toPlainJson(field);
  }
  return plain;
}

function isLong(value: object): value is { toNumber(): number } {
  return 'low' in value && 'high' in value && typeof (value as { toNumber?: unknown }).toNumber === 'function';
}
