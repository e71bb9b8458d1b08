import { parseRecipient } from '../api/recipient.js';
import type { OptionProblem } from './options.js';

/** A broker the user named in the options (an external one); without it the Supervisor's is asked for. */
export interface ManualBroker {
  host: string;
  port: number;
  username: string | null;
  password: string | null;
}

/** One `notify_targets` entry: `notify.whatsapp_<slug>` sends to `to` (what /api/send takes). */
export interface NotifyTarget {
  /** The name as the user wrote it, shown in Home Assistant. */
  name: string;
  /** Lower-case letters, digits and `_`: the entity id's end and the command topic's. */
  slug: string;
  to: string;
}

/** Home Assistant entities over MQTT discovery. */
export interface MqttOptions {
  enabled: boolean;
  /** null: the broker the Supervisor hands out (the Mosquitto app). */
  broker: ManualBroker | null;
  notifyTargets: NotifyTarget[];
}

export const DEFAULT_MQTT_OPTIONS: MqttOptions = { enabled: true, broker: null, notifyTargets: [] };

/** `mqtt_enabled`, `mqtt_host`/`_port`/`_username`/`_password`, `notify_targets`; each problem is one line, and that part falls back. */
export function parseMqttOptions(raw: Record<string, unknown>, problems: OptionProblem[]): MqttOptions {
  const problem = (option: string, message: string) => problems.push({ option, message: `Option '${option}' ${message}` });
  const enabledValue = raw.mqtt_enabled;
  let enabled = DEFAULT_MQTT_OPTIONS.enabled;
  if (typeof enabledValue === 'boolean') enabled = enabledValue;
  else if (enabledValue !== undefined && enabledValue !== null) problem('mqtt_enabled', 'must be true or false; using true.');

  return { enabled, broker: readBroker(raw, problem), notifyTargets: readTargets(raw.notify_targets, problem) };
}

function readBroker(raw: Record<string, unknown>, problem: (option: string, message: string) => void): ManualBroker | null {
  const host = raw.mqtt_host;
  if (host === undefined || host === null || host === '') return null;
  if (typeof host !== 'string' || !/^[A-Za-z0-9.\-_:[\]]+$/.test(host.trim())) {
    problem('mqtt_host', "must be a host name or address such as core-mosquitto or 192.168.1.10 (no mqtt://, no port); using the Supervisor's broker.");
    return null;
  }
  let port = 1883;
  if (raw.mqtt_port !== undefined && raw.mqtt_port !== null) {
    if (Number.isInteger(raw.mqtt_port) && (raw.mqtt_port as number) >= 1 && (raw.mqtt_port as number) <= 65535) port = raw.mqtt_port as number;
    else problem('mqtt_port', 'must be a port from 1 to 65535; using 1883.');
  }
  const text = (name: string): string | null => {
    const value = raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value;
    // Never echo the value: mqtt_password is a secret even when its type is wrong.
    problem(name, 'must be text; left empty.');
    return null;
  };
  return { host: host.trim(), port, username: text('mqtt_username'), password: text('mqtt_password') };
}

function readTargets(value: unknown, problem: (option: string, message: string) => void): NotifyTarget[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problem('notify_targets', 'must be a list of entries with name and to; no notify entities until it is fixed.');
    return [];
  }
  const targets: NotifyTarget[] = [];
  value.forEach((entry: unknown, index) => {
    const { name, to } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const where = `entry ${index + 1}`;
    const slug = typeof name === 'string' ? slugOf(name) : '';
    if (!slug) return problem('notify_targets', `${where} needs a name of letters or digits (e.g. family); it is left out.`);
    if (!parseRecipient(to)) {
      return problem(
        'notify_targets',
        `${where} ('${slug}'): 'to' must be a phone number with country code (+49 151 2345678), a phone JID, a LID JID or a group JID; it is left out.`,
      );
    }
    if (targets.some((t) => t.slug === slug)) return problem('notify_targets', `${where}: the name '${slug}' is used twice; the second is left out.`);
    targets.push({ name: (name as string).trim(), slug, to: (to as string).trim() });
  });
  return targets;
}

/** "Family group" -> "family_group"; what Home Assistant would make of the name in an entity id. */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
}
