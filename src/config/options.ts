import { readFileSync } from 'node:fs';
import { EVENT_KINDS, type EventKind } from '../payload/event-payload.js';
import { DEFAULT_MQTT_OPTIONS, parseMqttOptions, type MqttOptions } from './mqtt-options.js';
import { OptionReader, WEBHOOK_OFF } from './option-reader.js';
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
