import { parseRecipient } from '../whatsapp/jid.js';
import type { OptionReader } from './option-reader.js';

/** A broker the user named in the options (an external one); without it the Supervisor's is asked for. */
interface ManualBroker {
  readonly host: string;
  readonly port: number;
  readonly username: string | null;
  readonly password: string | null;
}

/**
 * Where the broker comes from, decided once when the options are read: the one in the
 * options, the one the Supervisor hands out, or none (and why, for the page and the log).
 */
export type BrokerChoice = ({ readonly from: 'options' } & ManualBroker) | { readonly from: 'supervisor' } | { readonly from: 'none'; readonly reason: string };

/** Outside Home Assistant without `mqtt_host`: what the MQTT card and the one log line say. */
const NO_BROKER_WITHOUT_SUPERVISOR = "no broker: set 'mqtt_host' (and the user name and password) for your broker, or turn 'mqtt_enabled' off";

/** One `notify_targets` entry: `notify.whatsapp_<slug>` sends to `to` (what /api/send takes). */
export interface NotifyTarget {
  /** The name as the user wrote it, shown in Home Assistant. */
  readonly name: string;
  /** Lower-case letters, digits and `_`: the entity id's end and the command topic's. */
  readonly slug: string;
  /** An address, or the entry's `group`: a group's subject, looked up in the chat directory at each send. */
  readonly to: string | { readonly group: string };
}

/** Home Assistant entities over MQTT discovery. */
export interface MqttOptions {
  readonly enabled: boolean;
  readonly broker: BrokerChoice;
  readonly notifyTargets: readonly NotifyTarget[];
}

/** Host names and addresses: no scheme, no port, no path. */
const BROKER_HOST = /^[A-Za-z0-9.\-_:[\]]+$/;

/** `mqtt_enabled`, `mqtt_host`/`_port`/`_username`/`_password`, `notify_targets`; each problem is one line, and that part falls back. */
export function readMqttOptions(read: OptionReader): MqttOptions {
  return {
    enabled: read.bool('mqtt_enabled', true, 'using true'),
    broker: readBroker(read),
    notifyTargets: readTargets(read),
  };
}

/**
 * Without a Supervisor and without `mqtt_host` there is no broker, but no option problem either:
 * `mqtt_enabled` is on by default, so a user who never asked for MQTT would get a problem line.
 */
function readBroker(read: OptionReader): BrokerChoice {
  const host = read.matching(
    'mqtt_host',
    BROKER_HOST,
    'a host name or address such as core-mosquitto or 192.168.1.10 (no mqtt://, no port)',
    read.supervisorAvailable ? "using the Supervisor's broker" : 'no broker is used',
  );
  if (host === null) return read.supervisorAvailable ? { from: 'supervisor' } : { from: 'none', reason: NO_BROKER_WITHOUT_SUPERVISOR };
  return {
    from: 'options',
    host,
    port: read.port('mqtt_port', 1883),
    username: read.secret('mqtt_username', 'left empty'),
    password: read.secret('mqtt_password', 'left empty'),
  };
}

function readTargets(read: OptionReader): NotifyTarget[] {
  const name = 'notify_targets';
  const entries = read.list(name, 'a list of entries with name and to', 'no notify entities until it is fixed');
  if (entries === null) return [];
  const targets: NotifyTarget[] = [];
  entries.forEach((entry: unknown, index) => {
    const { name: targetName, to, group } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const where = `entry ${index + 1}`;
    const slug = typeof targetName === 'string' ? slugOf(targetName) : '';
    if (!slug) return read.problem(name, `${where} needs a name of letters or digits (e.g. family); it is left out`);
    // A group by its subject is a field of its own: the Supervisor's schema gives `to` one type (str).
    const byGroup = to === undefined && typeof group === 'string' && group.trim() !== '';
    if (!byGroup && (group !== undefined || !parseRecipient(to))) {
      return read.problem(
        name,
        `${where} ('${slug}'): 'to' must be a phone number with country code (+49 151 2345678), a phone JID, a LID JID or a group JID, or give 'group' with the group's subject instead of 'to'; it is left out`,
      );
    }
    if (targets.some((t) => t.slug === slug)) return read.problem(name, `${where}: the name '${slug}' is used twice; the second is left out`);
    targets.push({ name: (targetName as string).trim(), slug, to: byGroup ? { group: (group as string).trim() } : (to as string).trim() });
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
