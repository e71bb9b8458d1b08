import type { ManualBroker } from '../config/mqtt-options.js';

/** Where to connect, and as whom. The password never leaves this object except to the client. */
export interface BrokerConfig {
  host: string;
  port: number;
  ssl: boolean;
  username: string | null;
  password: string | null;
  /** Where it came from, for the page and the log. */
  source: 'options' | 'supervisor';
}

/** Why no broker can be used: `none` will not change by waiting; `unreachable` may. */
export class NoBroker extends Error {
  constructor(
    readonly kind: 'none' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

const SUPERVISOR_TIMEOUT_MS = 10_000;

/**
 * The broker from the options, or the one the Supervisor hands to apps that declare
 * `services: ["mqtt:want"]` (GET /services/mqtt): the Mosquitto app registers itself there.
 */
export async function findBroker(manual: ManualBroker | null, supervisor: { url: string; token: string } | null): Promise<BrokerConfig> {
  if (manual) return { ...manual, ssl: false, source: 'options' };
  if (!supervisor) {
    throw new NoBroker('none', "no broker: set 'mqtt_host' (and the user name and password) for your broker, or turn 'mqtt_enabled' off");
  }
  let response: Response;
  try {
    response = await fetch(`${supervisor.url}/services/mqtt`, {
      headers: { Authorization: `Bearer ${supervisor.token}` },
      signal: AbortSignal.timeout(SUPERVISOR_TIMEOUT_MS),
    });
  } catch (error) {
    throw new NoBroker('unreachable', `the Supervisor could not be asked for the MQTT broker (${(error as Error).message})`);
  }
  if (response.status === 400 || response.status === 403 || response.status === 404) {
    await response.body?.cancel();
    throw new NoBroker(
      'none',
      "no MQTT broker in Home Assistant: install and start the Mosquitto broker app (Settings > Apps), then restart this app; or set 'mqtt_host' for another broker",
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new NoBroker('unreachable', `the Supervisor answered HTTP ${response.status} when asked for the MQTT broker`);
  }
  const data = ((await response.json().catch(() => ({}))) as { data?: Record<string, unknown> }).data ?? {};
  if (typeof data.host !== 'string' || !Number.isInteger(data.port)) {
    throw new NoBroker('unreachable', 'the Supervisor answered without a broker host and port');
  }
  return {
    host: data.host,
    port: data.port as number,
    ssl: data.ssl === true,
    username: typeof data.username === 'string' ? data.username : null,
    password: typeof data.password === 'string' ? data.password : null,
    source: 'supervisor',
  };
}
