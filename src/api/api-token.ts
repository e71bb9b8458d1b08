import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../state/database.js';

export interface ApiToken {
  value: string;
  /** 'option' when the user set `api_token`, 'generated' when the app made one. */
  source: 'option' | 'generated';
}

/** The option's token, or the one generated on first start and kept in the state file. */
export function resolveApiToken(db: Db, fromOption: string | null): ApiToken {
  if (fromOption) return { value: fromOption, source: 'option' };
  const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'api_token'").get();
  if (stored) return { value: stored.value, source: 'generated' };
  const value = randomBytes(24).toString('base64url');
  db.prepare("INSERT INTO meta (key, value) VALUES ('api_token', ?)").run(value);
  return { value, source: 'generated' };
}

/** Compares in constant time (hashing first, so the length of the token does not leak either). */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** What the page may show of a token: its last four characters. */
export function tokenHint(token: string): string {
  return `…${token.slice(-4)}`;
}
