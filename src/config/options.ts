import { readFileSync } from 'node:fs';
import { EVENT_KINDS, type EventKind } from '../payload/event-payload.js';
import { DEFAULT_MQTT_OPTIONS, parseMqttOptions, type MqttOptions } from './mqtt-options.js';
import { readVoiceOptions, VOICE_OFF, type VoiceOptions } from './voice-options.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The webhook: off, asked for but misconfigured (its problems say why), or on. */
export type WebhookOption = { state: 'off' } | { state: 'invalid' } | { state: 'on'; url: URL; token: string | null; secret: string | null };

/** Where the message API's token comes from; a refused option falls back to a generated token. */
export type ApiTokenOption = { source: 'option'; value: string } | { source: 'generated' } | { source: 'refused'; reason: string };

/** The app's options, parsed once from /data/options.json. */
export interface Options {
  webhook: WebhookOption;
  /** The kinds the webhook gets (`webhook_events`); Home Assistant's bus gets every kind. */
  webhookEvents: ReadonlySet<EventKind>;
  logLevel: LogLevel;
  forwardGroups: boolean;
  forwardOwnMessages: boolean;
  /** Fire `whatsapp_message` on Home Assistant's event bus (false when no Supervisor is there to take them). */
  haEventEnabled: boolean;
  apiToken: ApiTokenOption;
  /** Minimum pause between two messages the bridge sends (spam protection), in ms. */
  sendIntervalMs: number;
  media: MediaOptions;
  /** Home Assistant entities over MQTT (src/config/mqtt-options.ts). */
  mqtt: MqttOptions;
  /** Voice notes as text (`voice_to_text`, src/config/voice-options.ts). */
  voice: VoiceOptions;
}

/** Received media: where files go, and how much is kept. */
export interface MediaOptions {
  /** false: nothing is saved, `media` holds only what the message tells. */
  download: boolean;
  folder: string;
  /** Larger files are not downloaded (bytes). */
  maxBytes: number;
  /** Files older than this are removed (days; 0 keeps everything). */
  keepDays: number;
  /** Past this total the oldest files are removed (bytes). */
  maxTotalBytes: number;
}

/** One thing wrong with the options: which option, and a sentence that says what to do. */
export interface OptionProblem {
  option: string;
  message: string;
}

export interface ParsedOptions {
  options: Options;
  problems: OptionProblem[];
}

const MB = 1024 * 1024;

/** What parsing needs to know about where the app runs. */
export interface OptionContext {
  /** SUPERVISOR_TOKEN is set: Home Assistant's event bus can be reached. */
  supervisorAvailable: boolean;
  /** Where this app itself answers, so a webhook_url pointing back at it is refused. */
  ownAddress?: { hosts: readonly string[]; ports: readonly number[] };
}

const DEFAULT_OPTIONS: Options = {
  webhook: { state: 'off' },
  webhookEvents: new Set(['message']),
  logLevel: 'info',
  forwardGroups: true,
  forwardOwnMessages: false,
  haEventEnabled: false,
  apiToken: { source: 'generated' },
  sendIntervalMs: 2000,
  media: { download: true, folder: '/media/whatsapp', maxBytes: 32 * MB, keepDays: 30, maxTotalBytes: 2048 * MB },
  mqtt: DEFAULT_MQTT_OPTIONS,
  voice: VOICE_OFF,
};

const MIN_API_TOKEN_LENGTH = 16;
const WEBHOOK_OFF = 'The webhook stays off until this is fixed; pairing and the page keep working.';

/**
 * Reads and validates the options file. Never throws: every problem becomes one
 * OptionProblem, and the option falls back to its default. Problems with webhook options turn
 * the webhook off (sending to a wrong address is worse than not sending); the app itself keeps
 * running so the user can still pair and read what to fix on the page.
 */
export function loadOptions(path: string, context: OptionContext): ParsedOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    return failWhole(`The options file ${path} ${reason}. Open the app's Configuration tab and press Save. ${WEBHOOK_OFF}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return failWhole(
      `The options file ${path} is not valid JSON (${(error as Error).message}). Open the app's Configuration tab and press Save. ${WEBHOOK_OFF}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return failWhole(`The options file ${path} must hold a JSON object. Open the app's Configuration tab and press Save. ${WEBHOOK_OFF}`);
  }
  return parseOptions(raw as Record<string, unknown>, context);
}

export function parseOptions(raw: Record<string, unknown>, context: OptionContext = { supervisorAvailable: true }): ParsedOptions {
  const problems: OptionProblem[] = [];
  const read = new OptionReader(raw, problems);

  const webhookProblemsBefore = problems.length;
  const enabled = read.bool('webhook_enabled', false);
  const url = read.url('webhook_url');
  const token = read.secret('webhook_token');
  const secret = read.secret('webhook_secret');
  if (enabled && url === null && !problems.some((p) => p.option === 'webhook_url')) {
    problems.push({
      option: 'webhook_url',
      message: `Option 'webhook_url' is empty but 'webhook_enabled' is on. Set it to the receiver's full address, e.g. http://homeassistant:8123/api/webhook/<id>, or turn 'webhook_enabled' off.`,
    });
  }
  if (enabled && url && pointsAtItself(url, context)) {
    problems.push({
      option: 'webhook_url',
      message: `Option 'webhook_url' points at this app itself (${url.host}), so every message would come back to it. Set it to your receiver, e.g. http://homeassistant:8123/api/webhook/<id>. ${WEBHOOK_OFF}`,
    });
  }
  const webhookBroken = problems.length > webhookProblemsBefore;
  const webhook: WebhookOption = webhookBroken ? { state: 'invalid' } : enabled && url ? { state: 'on', url, token, secret } : { state: 'off' };

  let haEventEnabled = read.bool('ha_event_enabled', DEFAULT_OPTIONS.haEventEnabled);
  if (haEventEnabled && !context.supervisorAvailable) {
    haEventEnabled = false;
    problems.push({
      option: 'ha_event_enabled',
      message: "Option 'ha_event_enabled' needs Home Assistant's Supervisor, which this app cannot reach (SUPERVISOR_TOKEN is not set); events are off.",
    });
  }

  const options: Options = {
    webhook,
    webhookEvents: read.someOf('webhook_events', EVENT_KINDS, DEFAULT_OPTIONS.webhookEvents),
    logLevel: read.oneOf('log_level', LOG_LEVELS, DEFAULT_OPTIONS.logLevel),
    forwardGroups: read.bool('forward_groups', DEFAULT_OPTIONS.forwardGroups),
    forwardOwnMessages: read.bool('forward_own_messages', DEFAULT_OPTIONS.forwardOwnMessages),
    haEventEnabled,
    apiToken: read.apiToken('api_token'),
    sendIntervalMs: Math.round(read.number('send_interval', 0, 60, DEFAULT_OPTIONS.sendIntervalMs / 1000) * 1000),
    media: {
      download: read.bool('media_download', DEFAULT_OPTIONS.media.download),
      folder: read.absolutePath('media_folder', DEFAULT_OPTIONS.media.folder),
      maxBytes: read.number('media_max_size', 1, 2048, DEFAULT_OPTIONS.media.maxBytes / MB) * MB,
      keepDays: read.number('media_keep_days', 0, 3650, DEFAULT_OPTIONS.media.keepDays),
      maxTotalBytes: read.number('media_max_total', 1, 1_048_576, DEFAULT_OPTIONS.media.maxTotalBytes / MB) * MB,
    },
    mqtt: parseMqttOptions(raw, problems),
    voice: VOICE_OFF, // read next: it depends on media_download
  };
  options.voice = readVoiceOptions(read, problems, context, options.media.download);
  return { options, problems };
}

function pointsAtItself(url: URL, context: OptionContext): boolean {
  const own = context.ownAddress;
  if (!own) return false;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return own.ports.includes(port) && own.hosts.some((h) => h.toLowerCase() === host);
}

function failWhole(message: string): ParsedOptions {
  return { options: DEFAULT_OPTIONS, problems: [{ option: 'options.json', message }] };
}

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
