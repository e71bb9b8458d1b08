import type { BrokerChoice } from '../config/mqtt-options.js';
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
 * Acts on where the options say the broker comes from (`BrokerChoice`, decided when they were
 * read): the one in the options, none, or the one the Supervisor hands to apps that declare
 * `services: ["mqtt:want"]` (GET /services/mqtt): the Mosquitto app registers itself there.
 */
export async function findBroker(choice: BrokerChoice, supervisor: SupervisorClient | null): Promise<BrokerConfig> {
  if (choice.from === 'none') throw new NoBroker('none', choice.reason);
  if (choice.from === 'options') {
    const { host, port, username, password } = choice;
    return { host, port, username, password, ssl: false, source: 'options' };
  }
  // The options were read for a Supervisor (main.ts gives both the same SUPERVISOR_TOKEN): only a caller's mistake gets here.
  if (!supervisor) throw new NoBroker('none', 'the options were read for a Supervisor, but this app has no SUPERVISOR_TOKEN');
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
