import type { ManualBroker } from '../config/mqtt-options.js';
import { SupervisorUnreachable, type SupervisorAnswer, type SupervisorClient } from '../supervisor/supervisor-client.js';

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
export async function findBroker(manual: ManualBroker | null, supervisor: SupervisorClient | null): Promise<BrokerConfig> {
  if (manual) return { ...manual, ssl: false, source: 'options' };
  if (!supervisor) {
    throw new NoBroker('none', "no broker: set 'mqtt_host' (and the user name and password) for your broker, or turn 'mqtt_enabled' off");
  }
  let response: SupervisorAnswer;
  try {
    response = await supervisor.mqttService(AbortSignal.timeout(SUPERVISOR_TIMEOUT_MS));
  } catch (error) {
    const why = error instanceof SupervisorUnreachable ? error.why : (error as Error).message;
    throw new NoBroker('unreachable', `the Supervisor could not be asked for the MQTT broker (${why})`);
  }
  if (response.status === 400 || response.status === 403 || response.status === 404) {
    throw new NoBroker(
      'none',
      "no MQTT broker in Home Assistant: install and start the Mosquitto broker app (Settings > Apps), then restart this app; or set 'mqtt_host' for another broker",
    );
  }
  if (response.status < 200 || response.status >= 300) {
    throw new NoBroker('unreachable', `the Supervisor answered HTTP ${response.status} when asked for the MQTT broker`);
  }
  const data = (response.json as { data?: Record<string, unknown> } | null)?.data ?? {};
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
