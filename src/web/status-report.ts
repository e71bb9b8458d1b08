import type { StorageProblem } from '../bus-events.js';
import type { Options, OptionProblem } from '../config/options.js';
import { destinationsReport, type DestinationsReport } from '../destinations/destination-set.js';
import type { DestinationUnit } from '../destinations/unit.js';
import { MQTT_RESTING, type MqttReport } from '../mqtt/home-assistant-mqtt.js';
import { APP_VERSION } from '../version.js';
import { INITIAL_STATUS } from '../whatsapp/connection-status.js';
import { connectionReport, type ConnectionReport } from './connection-report.js';

/** The message API: its port and a hint of the token (never the token itself). */
export interface ApiReport {
  port: number;
  token_source: 'option' | 'generated';
  token_hint: string;
}

/** Received files: where they go, how many are kept, what failed last. */
export interface MediaReport {
  download: boolean;
  folder: string;
  files: number;
  bytes: number;
  pending: number;
  last_error: string | null;
}

/** Voice notes as text: the speech-to-text entity (null: off) and its last failure. */
export interface VoiceReport {
  entity: string | null;
  last_error: string | null;
}

/** Assist answering in WhatsApp: on or off, the allowed chats as written, the agent, the last answer or failure. */
export interface AssistReport {
  on: boolean;
  chats: string[];
  /** null: Home Assistant's default agent. */
  agent: string | null;
  last: { at: number; chat: string; response_type: 'action_done' | 'query_answer' | 'error' | null; speech: string | null; error: string | null } | null;
}

/** What each part reports; the connection's and the destinations' fields sit at the top level of the report. */
export interface StatusSlices {
  connection: ConnectionReport;
  destinations: DestinationsReport;
  api: ApiReport;
  media: MediaReport;
  voice_to_text: VoiceReport;
  assist: AssistReport;
  /** Home Assistant entities over MQTT. */
  mqtt: MqttReport;
  /** Why messages cannot be stored right now (they wait at WhatsApp), or null. */
  storage: StorageProblem | null;
  problems: OptionProblem[];
}

/** What GET /api/status answers. Never holds a token or secret: the webhook shows its host only. */
export type StatusReport = {
  version: string;
  /** The app's clock (epoch ms), so the page's countdowns do not depend on the browser's. */
  now: number;
} & ConnectionReport &
  DestinationsReport &
  Omit<StatusSlices, 'connection' | 'destinations'>;

/** The report from the parts' slices. */
export function assembleStatus({ connection, destinations, ...rest }: StatusSlices, now: number): StatusReport {
  return { version: APP_VERSION, now, ...connection, ...destinations, ...rest };
}

/**
 * Every slice as it is while its part does not run (the state file cannot be used): the one
 * definition of the resting state. A running part reports its own slice instead.
 */
export function restingSlices(units: readonly DestinationUnit[], options: Options, problems: OptionProblem[], now: number): StatusSlices {
  return {
    connection: connectionReport({ ...INITIAL_STATUS, state: 'unavailable' }, null),
    destinations: destinationsReport(units, options, () => null, now),
    api: { port: 0, token_source: 'generated', token_hint: '' },
    media: { download: options.media.download, folder: options.media.folder, files: 0, bytes: 0, pending: 0, last_error: null },
    voice_to_text: { entity: options.voice.entity, last_error: null },
    assist: assistResting(options),
    mqtt: MQTT_RESTING,
    storage: null,
    problems,
  };
}

/** Assist's slice while it does not run: what the options say, nothing answered. */
export function assistResting(options: Options): AssistReport {
  return { on: false, chats: options.assist.on ? [...options.assist.chats] : [], agent: options.assist.agent, last: null };
}
