import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiTokenOption } from '../config/options.js';
import type { Part } from '../lifecycle.js';
import type { Db } from '../state/database.js';

/**
 * The message API's bearer token: the `api_token` option, or one generated on first start and
 * kept in the state file (also when the option was refused, so the page's token keeps working).
 */
export class ApiToken implements Part {
  private token: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly option: ApiTokenOption,
  ) {}

  async start(): Promise<void> {
    this.token = this.option.source === 'option' ? this.option.value : this.storedOrNew();
  }

  async stop(): Promise<void> {}

  get value(): string {
    if (this.token === null) throw new Error('The API token is read before the app started.');
    return this.token;
  }

  get source(): 'option' | 'generated' {
    return this.option.source === 'option' ? 'option' : 'generated';
  }

  /** Why the configured token is not used, or null when none was refused. */
  get refusedBecause(): string | null {
    return this.option.source === 'refused' ? this.option.reason : null;
  }

  /** Compares in constant time (hashing first, so the length of the token does not leak either). */
  matches(presented: string): boolean {
    const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
    return timingSafeEqual(digest(presented), digest(this.value));
  }

  /** What the page may show of the token: its last four characters. */
  hint(): string {
    return `…${this.value.slice(-4)}`;
  }

  private storedOrNew(): string {
    const stored = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'api_token'").get();
    if (stored) return stored.value;
    const value = randomBytes(24).toString('base64url');
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('api_token', ?)").run(value);
    return value;
  }
}
