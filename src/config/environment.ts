import { join } from 'node:path';

/** Where and how the daemon runs: set by the Supervisor in the image, by hand outside it. */
export interface Environment {
  dataDir: string;
  optionsFile: string;
  ingressPort: number;
  /** The address the ingress server listens on and the one client it answers. */
  ingressHost: string;
  ingressAllowedClient: string;
  apiPort: number;
  /** The message API listens on the internal network under the Supervisor, on loopback otherwise. */
  apiHost: string;
  waWebSocketUrl: string | undefined;
  supervisorToken: string | null;
  supervisorUrl: string;
}

/** The Supervisor's ingress proxy always connects from this address. */
const INGRESS_PROXY_ADDRESS = '172.30.32.2';

export function readEnvironment(env: NodeJS.ProcessEnv): Environment {
  const dataDir = env.DATA_DIR || '/data';
  const supervisorToken = env.SUPERVISOR_TOKEN || null;
  const underSupervisor = supervisorToken !== null;
  const ingressPort = port(env.INGRESS_PORT, 8099, 'INGRESS_PORT');
  const apiPort = port(env.API_PORT, 8080, 'API_PORT');
  if (ingressPort === apiPort && ingressPort !== 0) {
    throw new EnvironmentError(`INGRESS_PORT and API_PORT are both ${apiPort}: the page and the message API need different ports.`);
  }
  return {
    dataDir,
    optionsFile: join(dataDir, 'options.json'),
    ingressPort,
    ingressHost: underSupervisor ? '0.0.0.0' : '127.0.0.1',
    ingressAllowedClient: underSupervisor ? INGRESS_PROXY_ADDRESS : '127.0.0.1',
    apiPort,
    apiHost: underSupervisor ? '0.0.0.0' : '127.0.0.1',
    waWebSocketUrl: env.WA_WEBSOCKET_URL || undefined,
    supervisorToken,
    supervisorUrl: (env.SUPERVISOR_URL || 'http://supervisor').replace(/\/+$/, ''),
  };
}

/** The variable that sets a port the daemon binds, to name in an error; null for a port bound by a restart (asked for "any"). */
export function portVariable(env: Pick<Environment, 'ingressPort' | 'apiPort'>, port: number): 'INGRESS_PORT' | 'API_PORT' | null {
  if (port === env.apiPort) return 'API_PORT';
  if (port === env.ingressPort) return 'INGRESS_PORT';
  return null;
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new EnvironmentError(`${name}=${value} is not a port number (0-65535).`);
  }
  return parsed;
}

export class EnvironmentError extends Error {}
