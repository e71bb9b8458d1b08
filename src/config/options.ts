import { readFileSync } from 'node:fs';
import { readApiOptions, type ApiOptions } from './api-options.js';
import { readAssistOptions, type AssistOptions } from './assist-options.js';
import { readHaEventOptions, type HaEventOptions } from './ha-event-options.js';
import { readMediaOptions, type MediaOptions } from './media-options.js';
import { readMqttOptions, type MqttOptions } from './mqtt-options.js';
import type { OptionContext, OptionProblem } from './option-problem.js';
import { OptionReader } from './option-reader.js';
import { readVoiceOptions, type VoiceOptions } from './voice-options.js';
import { readWebhookOptions, WEBHOOK_OFF, type WebhookOptions } from './webhook-options.js';

// The types callers name, from the section that defines each.
export type { ApiTokenOption } from './api-options.js';
export type { MediaOptions } from './media-options.js';
export type { OptionContext, OptionProblem } from './option-problem.js';
export type { WebhookOption } from './webhook-options.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The app's options, parsed once from /data/options.json; frozen, nothing is patched in later. */
export interface Options extends WebhookOptions, HaEventOptions, ApiOptions {
  readonly logLevel: LogLevel;
  readonly forwardGroups: boolean;
  readonly forwardOwnMessages: boolean;
  readonly media: MediaOptions;
  /** Home Assistant entities over MQTT (src/config/mqtt-options.ts). */
  readonly mqtt: MqttOptions;
  /** Voice notes as text (`voice_to_text`, src/config/voice-options.ts). */
  readonly voice: VoiceOptions;
  /** Home Assistant's Assist answering in WhatsApp (`assist_chats`, src/config/assist-options.ts). */
  readonly assist: AssistOptions;
}

export interface ParsedOptions {
  readonly options: Options;
  readonly problems: readonly OptionProblem[];
}

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
    return failWhole(`The options file ${path} ${reason}. Open the app's Configuration tab and press Save. ${WEBHOOK_OFF}`, context);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return failWhole(
      `The options file ${path} is not valid JSON (${(error as Error).message}). Open the app's Configuration tab and press Save. ${WEBHOOK_OFF}`,
      context,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return failWhole(`The options file ${path} must hold a JSON object. Open the app's Configuration tab and press Save. ${WEBHOOK_OFF}`, context);
  }
  return parseOptions(raw as Record<string, unknown>, context);
}

/** Every section read through one reader; the result is frozen. */
export function parseOptions(raw: Record<string, unknown>, context: OptionContext = { supervisorAvailable: true }): ParsedOptions {
  const read = new OptionReader(raw, context);
  const webhook = readWebhookOptions(read);
  const general = {
    logLevel: read.oneOf('log_level', LOG_LEVELS, 'info'),
    forwardGroups: read.bool('forward_groups', true),
    forwardOwnMessages: read.bool('forward_own_messages', false),
  };
  const haEvents = readHaEventOptions(read);
  const api = readApiOptions(read);
  const media = readMediaOptions(read);
  const mqtt = readMqttOptions(read);
  // After media: a transcript needs the saved file.
  const voice = readVoiceOptions(read, media.download);
  const assist = readAssistOptions(read);
  const options: Options = { ...webhook, ...general, ...haEvents, ...api, media, mqtt, voice, assist };
  return deepFreeze({ options, problems: [...read.problems] });
}

/** The defaults (no option read) and the one problem that says why. */
function failWhole(message: string, context: OptionContext): ParsedOptions {
  return deepFreeze({ options: parseOptions({}, context).options, problems: [{ option: 'options.json', message }] });
}

/** Freezes a value and everything it holds, so a change after parsing throws instead of going unnoticed. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}
