import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaSimulator } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { pairedDaemon } from './paired-bridge.js';

export const MEDIA_API_TOKEN = 'api-token-for-the-media-tests';

/**
 * The daemon as a child process against the simulator with its HTTPS media host, trusting the
 * host's throwaway CA the only way a product would: NODE_EXTRA_CA_CERTS. Paired and connected.
 * `extraEnv`: more of the environment, e.g. a fake Supervisor's.
 */
export async function mediaBridge(options: Record<string, unknown> = {}, extraEnv: Record<string, string> = {}) {
  const sim = await WaSimulator.start({ media: true });
  const receiver = await TestReceiver.start();
  const mediaFolder = mkdtempSync(join(tmpdir(), 'wab-media-'));
  const daemonOptions = { media_folder: mediaFolder, api_token: MEDIA_API_TOKEN, send_interval: 0, ...options };
  const env = { NODE_EXTRA_CA_CERTS: sim.media!.caFile, ...extraEnv };
  const start = (dataDir?: string) => pairedDaemon({ sim, receiver, dataDir, options: daemonOptions, env });
  const setup = {
    sim,
    receiver,
    mediaFolder,
    daemon: await start(),
    /** The message API's base URL, read from the page's status (the daemon binds a free port). */
    async apiUrl(): Promise<string> {
      return `http://127.0.0.1:${(await setup.status()).api.port}/`;
    },
    /** The payload the receiver got for a message id. */
    async payload(id: string, timeoutMs = 15_000): Promise<any> {
      await receiver.waitFor(() => receiver.accepted.some((p) => p.id === id), timeoutMs, `payload of ${id}`);
      return receiver.accepted.find((p) => p.id === id);
    },
    /** POST api/send with the token; resolves with the status and JSON answer. */
    async send(body: Record<string, unknown>): Promise<{ status: number; json: any }> {
      const res = await fetch(new URL('api/send', await setup.apiUrl()), {
        method: 'POST',
        headers: { Authorization: `Bearer ${MEDIA_API_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    /** Stops the daemon and starts it again on the same state; `whileDown` runs in between. */
    async restart(kill: NodeJS.Signals = 'SIGTERM', whileDown?: (dataDir: string) => void): Promise<BridgeProcess> {
      await setup.daemon.kill(kill);
      whileDown?.(setup.daemon.dataDir);
      setup.daemon = await start(setup.daemon.dataDir);
      return setup.daemon;
    },
    async status(): Promise<any> {
      return (await fetch(new URL('api/status', setup.daemon.ingressUrl))).json();
    },
    async close(): Promise<void> {
      await setup.daemon.kill('SIGTERM');
      await sim.stop();
      await receiver.close();
    },
  };
  return setup;
}

export type MediaBridge = Awaited<ReturnType<typeof mediaBridge>>;
