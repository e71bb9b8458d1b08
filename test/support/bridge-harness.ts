import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Bridge } from '../../src/bridge.js';
import { readEnvironment } from '../../src/config/environment.js';
import { parseOptions, type OptionProblem } from '../../src/config/options.js';
import type { DestinationUnit } from '../../src/destinations/unit.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';

export interface InProcessBridge {
  bridge: Bridge;
  dataDir: string;
  /** The ingress page and its API. */
  url: string;
  ingressPort: number;
  /** The message API (POST api/send). */
  apiUrl: string;
  /** What the options parser said about the options given. */
  problems: readonly OptionProblem[];
  status: StatusStream;
  stop(): Promise<void>;
}

/** The bridge in this process, against a simulator URL, with options as options.json would hold them. */
export async function startBridge(opts: {
  waUrl: string;
  options: Record<string, unknown>;
  dataDir?: string;
  env?: Record<string, string>;
  keepAliveIntervalMs?: number;
  /** Where messages go, when not the registry's list (a destination that exists only in a test). */
  destinations?: readonly DestinationUnit[];
}): Promise<InProcessBridge> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wab-bridge-'));
  // Tests that play the Supervisor (SUPERVISOR_TOKEN set) still reach the servers on loopback.
  const env = {
    ...readEnvironment({ DATA_DIR: dataDir, INGRESS_PORT: '0', API_PORT: '0', WA_WEBSOCKET_URL: opts.waUrl, ...opts.env }),
    ingressHost: '127.0.0.1',
    ingressAllowedClient: '127.0.0.1',
    apiHost: '127.0.0.1',
  };
  const parsed = parseOptions(opts.options, { supervisorAvailable: env.supervisorToken !== null });
  const bridge = new Bridge({
    env,
    parsed,
    logger: pino({ level: 'silent' }),
    keepAliveIntervalMs: opts.keepAliveIntervalMs,
    destinations: opts.destinations,
  });
  const { ingressPort, apiPort } = await bridge.start();
  const url = `http://127.0.0.1:${ingressPort}/`;
  const status = await StatusStream.open(url);
  let stopped: Promise<void> | null = null;
  return {
    bridge,
    dataDir,
    url,
    ingressPort,
    apiUrl: `http://127.0.0.1:${apiPort}/`,
    problems: parsed.problems,
    status,
    stop: () =>
      (stopped ??= (async () => {
        status.close();
        await bridge.stop();
      })()),
  };
}

/** POSTs JSON to the page's API as the page does (the server refuses non-JSON POSTs). */
export function postToPage(baseUrl: string, path: string, body: unknown = {}): Promise<Response> {
  return fetch(new URL(path, baseUrl), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Unlinks as the page's dialog does: asks for the confirmation, then unlinks with it. */
export async function unlinkFromPage(baseUrl: string): Promise<Response> {
  const { confirmation } = (await (await postToPage(baseUrl, 'api/logout/confirmation')).json()) as { confirmation: string };
  return postToPage(baseUrl, 'api/logout', { confirmation });
}
