import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { WaSimulator } from '../../simulator/index.js';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';

/** Another program holding a port on 127.0.0.1, where the daemon binds outside the Supervisor. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** The daemon's log lines without their timestamp. */
const withoutTime = (lines: string[]) => lines.map((l) => l.replace(/^\[[^\]]+\] /, ''));

const cases = [
  { variable: 'API_PORT', what: "the message API's port" },
  { variable: 'INGRESS_PORT', what: "the page's port" },
];

for (const { variable, what } of cases) {
  test(`${variable} taken by another program: one line naming that port and ${variable}, exit 1, no stack`, async () => {
    const sim = await WaSimulator.start();
    const taken = await holdPort();
    try {
      const bridge = await BridgeProcess.start({ options: {}, waUrl: sim.url, env: { [variable]: String(taken.port) } });
      const { code } = await bridge.exit();
      const lines = withoutTime(bridge.lines);
      assert.equal(code, 1, bridge.lines.join('\n'));
      assert.deepEqual(
        lines.filter((l) => /^(ERROR|FATAL): /.test(l)),
        [`FATAL: Cannot start: port ${taken.port} (${what}) is already in use; stop whatever uses it or set ${variable}.`],
        bridge.lines.join('\n'),
      );
      assert.doesNotMatch(bridge.lines.join('\n'), /^\s+at /m, 'no stack trace');
    } finally {
      await new Promise((resolve) => taken.server.close(resolve));
      await sim.stop();
    }
  });
}

test('INGRESS_PORT and API_PORT the same: one line saying so, exit 1', async () => {
  const sim = await WaSimulator.start();
  try {
    const bridge = await BridgeProcess.start({ options: {}, waUrl: sim.url, env: { INGRESS_PORT: '8123', API_PORT: '8123' } });
    const { code } = await bridge.exit();
    assert.equal(code, 1);
    assert.deepEqual(
      withoutTime(bridge.lines).filter((l) => /^(ERROR|FATAL): /.test(l)),
      ['FATAL: INGRESS_PORT and API_PORT are both 8123: the page and the message API need different ports. Fix the environment variable and start again.'],
    );
  } finally {
    await sim.stop();
  }
});
