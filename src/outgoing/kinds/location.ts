import type { AnyMessageContent } from '@whiskeysockets/baileys';
import { SendError } from '../send-error.js';
import { sentAlone } from './alone.js';

const SHAPE = `'location' must be {"latitude": 52.52, "longitude": 13.405, "name": "...", "address": "..."} (name and address optional)`;
/** Long enough for any place name or postal address WhatsApp's place picker shows. */
const MAX_TEXT_LENGTH = 1000;

/** Reads `location`; null when the request has none. The content is Baileys' `location` (a locationMessage). */
export function parseLocation(body: Record<string, unknown>): AnyMessageContent | null {
  const location = body.location;
  if (location === undefined || location === null) return null;
  if (typeof location !== 'object' || Array.isArray(location)) throw new SendError(400, `${SHAPE}.`);
  sentAlone(body, 'location', 'A location', ['reply_to']);
  const { latitude, longitude, name, address } = location as Record<string, unknown>;
  return {
    location: {
      degreesLatitude: degrees(latitude, 'latitude', 90),
      degreesLongitude: degrees(longitude, 'longitude', 180),
      ...optional(name, 'name'),
      ...optional(address, 'address'),
    },
  };
}

function degrees(value: unknown, key: string, limit: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit)
    throw new SendError(
      400,
      `'location.${key}' must be a number from -${limit} to ${limit} (decimal degrees, e.g. ${key === 'latitude' ? '52.52' : '13.405'}).`,
    );
  return value;
}

function optional(value: unknown, key: string): Record<string, string> {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') throw new SendError(400, `'location.${key}' must be text.`);
  if (value.length > MAX_TEXT_LENGTH) throw new SendError(400, `'location.${key}' is longer than ${MAX_TEXT_LENGTH} characters.`);
  return { [key]: value };
}
