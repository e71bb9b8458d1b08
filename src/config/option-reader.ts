import type { ApiTokenOption, OptionProblem } from './options.js';

const MIN_API_TOKEN_LENGTH = 16;
/** The end of every problem with a webhook option. */
export const WEBHOOK_OFF = 'The webhook stays off until this is fixed; pairing and the page keep working.';

/** Reads one option at a time, recording a problem (and using the default) when it is wrong. */
export class OptionReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly problems: OptionProblem[],
  ) {}

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    return this.wrong(name, `must be true or false, not ${describe(value)}`, fallback);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return this.wrong(name, `must be one of ${allowed.join(', ')}, not ${describe(value)}; using '${fallback}'`, fallback);
  }

  /** A list of names from `allowed`; unknown names are dropped (one problem names them and the valid ones). */
  someOf<T extends string>(name: string, allowed: readonly T[], fallback: ReadonlySet<T>): ReadonlySet<T> {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    const valid = `${allowed.join(', ')}`;
    const defaults = [...fallback].join(', ');
    if (!Array.isArray(value)) return this.wrong(name, `must be a list of ${valid}, not ${describe(value)}; using ${defaults}`, fallback);
    if (value.length === 0) return this.wrong(name, `is empty: list at least one of ${valid}; using ${defaults}`, fallback);
    const known = value.filter((v): v is T => typeof v === 'string' && (allowed as readonly string[]).includes(v));
    if (known.length === value.length) return new Set(known);
    const unknown = value.filter((v) => !known.includes(v as T)).map(describe);
    const kept = known.length > 0 ? known : [...fallback];
    this.wrong(name, `may list only ${valid}; ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not one of them; using ${kept.join(', ')}`, null);
    return new Set(kept);
  }

  /** An optional secret: absent or empty means "not set". */
  secret(name: string): string | null {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value;
    // Never echo the value: it is a secret even when its type is wrong.
    return this.wrong(name, `must be text, not ${kindOf(value)}. ${WEBHOOK_OFF}`, null);
  }

  /** The message API's token: text of at least 16 characters, or absent (a generated one is used). */
  apiToken(name: string): ApiTokenOption {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return { source: 'generated' };
    if (typeof value === 'string' && value.length >= MIN_API_TOKEN_LENGTH) return { source: 'option', value };
    const reason = typeof value === 'string' ? `it is shorter than ${MIN_API_TOKEN_LENGTH} characters` : 'it is not text';
    this.problems.push({
      option: name,
      message: `Option '${name}' was refused because ${reason}; the message API uses the generated token shown on the app's page until it is fixed (or left empty).`,
    });
    return { source: 'refused', reason };
  }

  /** Optional text, trimmed: absent or empty means "not set". */
  text(name: string): string | null {
    const value = this.raw[name];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value.trim() || null;
    return this.wrong(name, `must be text, not ${describe(value)}`, null);
  }

  number(name: string, min: number, max: number, fallback: number): number {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    return this.wrong(name, `must be a number from ${min} to ${max}, not ${describe(value)}; using ${fallback}`, fallback);
  }

  /** An absolute folder path; `..` is refused so the option says plainly where files go. */
  absolutePath(name: string, fallback: string): string {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string' && value.startsWith('/') && !value.split('/').includes('..')) return value.replace(/\/+$/, '') || '/';
    return this.wrong(name, `must be an absolute folder path such as ${fallback}, without '..'; using ${fallback}`, fallback);
  }

  url(name: string): URL | null {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') return this.wrong(name, `must be a URL, not ${describe(value)}. ${WEBHOOK_OFF}`, null);
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      // Never echoed: an address can carry a password (user:password@host).
      const why = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? '' : ' (it does not start with http:// or https://)';
      return this.wrong(
        name,
        `is not a URL${why}. Write the full address including http:// and the port, e.g. http://homeassistant:8123/api/webhook/<id>. ${WEBHOOK_OFF}`,
        null,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return this.wrong(name, `must start with http:// or https://, not ${url.protocol.replace(/:$/, '').slice(0, 20)}://. ${WEBHOOK_OFF}`, null);
    }
    return url;
  }

  private wrong<T>(name: string, what: string, fallback: T): T {
    this.problems.push({ option: name, message: `Option '${name}' ${what}.`.replace(/\.\.$/, '.') });
    return fallback;
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true or false';
  return 'an object';
}

/** At most this much of a wrong value is echoed back (a 10 MB value gives no 10 MB log line). */
const ECHO_LIMIT = 40;

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value}"`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
