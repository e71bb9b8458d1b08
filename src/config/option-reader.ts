import type { OptionContext, OptionProblem } from './option-problem.js';

/**
 * Reads one option at a time, recording a problem (and using the fallback) when it is wrong.
 * Every section reads through it; it knows the value kinds, not the sections. Where a method
 * takes `instead` (what happens until the option is fixed), a clause ('left empty') follows
 * the problem after "; ", a sentence ('It stays off until…') after ". ".
 */
export class OptionReader {
  private readonly found: OptionProblem[] = [];

  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly context: OptionContext,
  ) {}

  /** The problems recorded so far, in reading order. */
  get problems(): readonly OptionProblem[] {
    return this.found;
  }

  /** Whether any problem was recorded for one of these options. */
  hasProblem(...options: string[]): boolean {
    return this.found.some((p) => options.includes(p.option));
  }

  /** Records a problem a section found itself: `Option '<option>' <what>.` */
  problem(option: string, what: string): void {
    this.found.push({ option, message: `Option '${option}' ${what}.`.replace(/\.\.$/, '.') });
  }

  /** Whether Home Assistant's Supervisor can be reached (SUPERVISOR_TOKEN is set); decided by where the app runs, not by an option. */
  get supervisorAvailable(): boolean {
    return this.context.supervisorAvailable;
  }

  /** The one place that decides "needs the Supervisor": false, and one problem, when it cannot be reached. */
  requiresSupervisor(option: string, instead: string): boolean {
    if (this.supervisorAvailable) return true;
    this.problem(option, then("needs Home Assistant's Supervisor, which this app cannot reach (SUPERVISOR_TOKEN is not set)", instead));
    return false;
  }

  /** Where this app itself answers (to refuse an address pointing back at it). */
  get ownAddress(): OptionContext['ownAddress'] {
    return this.context.ownAddress;
  }

  bool(name: string, fallback: boolean, instead?: string): boolean {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    return this.wrong(name, then(`must be true or false, not ${describe(value)}`, instead), fallback);
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

  /** A list whose entries the section checks itself; absent is null. */
  list(name: string, expected: string, instead: string): readonly unknown[] | null {
    const value = this.raw[name];
    if (value === undefined || value === null) return null;
    if (Array.isArray(value)) return value;
    return this.wrong(name, then(`must be ${expected}`, instead), null);
  }

  /** An optional secret: absent or empty means "not set". */
  secret(name: string, instead: string): string | null {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value;
    // Never echo the value: it is a secret even when its type is wrong.
    return this.wrong(name, then(`must be text, not ${kindOf(value)}`, instead), null);
  }

  /** Optional text, trimmed: absent or empty means "not set". */
  text(name: string): string | null {
    const value = this.raw[name];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value.trim() || null;
    return this.wrong(name, `must be text, not ${describe(value)}`, null);
  }

  /** Optional text, trimmed, that must match `pattern` (`expected` says what it looks like; the value is not echoed). */
  matching(name: string, pattern: RegExp, expected: string, instead: string): string | null {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string' && pattern.test(value.trim())) return value.trim();
    return this.wrong(name, then(`must be ${expected}`, instead), null);
  }

  number(name: string, min: number, max: number, fallback: number): number {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    return this.wrong(name, `must be a number from ${min} to ${max}, not ${describe(value)}; using ${fallback}`, fallback);
  }

  /** A TCP port, 1 to 65535. */
  port(name: string, fallback: number): number {
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535) return value as number;
    return this.wrong(name, `must be a port from 1 to 65535; using ${fallback}`, fallback);
  }

  /** An absolute folder path; `..` is refused so the option says plainly where files go. */
  absolutePath(name: string, fallback: string): string {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string' && value.startsWith('/') && !value.split('/').includes('..')) return value.replace(/\/+$/, '') || '/';
    return this.wrong(name, `must be an absolute folder path such as ${fallback}, without '..'; using ${fallback}`, fallback);
  }

  /** An http(s) address; `example` shows a right one. A wrong value is never echoed (it can carry user:password@). */
  url(name: string, example: string, instead: string): URL | null {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') return this.wrong(name, then(`must be a URL, not ${describe(value)}`, instead), null);
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      const why = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? '' : ' (it does not start with http:// or https://)';
      return this.wrong(name, then(`is not a URL${why}. Write the full address including http:// and the port, e.g. ${example}`, instead), null);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return this.wrong(name, then(`must start with http:// or https://, not ${url.protocol.replace(/:$/, '').slice(0, 20)}://`, instead), null);
    }
    return url;
  }

  private wrong<T>(name: string, what: string, fallback: T): T {
    this.problem(name, what);
    return fallback;
  }
}

/** A problem and what happens instead: a clause after "; ", a sentence after ". ". */
function then(what: string, instead: string | undefined): string {
  if (!instead) return what;
  return /^[A-Z]/.test(instead) ? `${what}. ${instead}` : `${what}; ${instead}`;
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
