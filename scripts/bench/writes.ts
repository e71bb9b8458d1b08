/**
 * What the bridge writes per message, and what it does at rest (issue #15): the built bridge with
 * its data folder on a real disk (write_bytes counts nothing on tmpfs), fed by the simulator.
 * From /proc/<pid>/io: `write_bytes` (bytes the process caused to be written to storage) and
 * `syscw` (write-family system calls, sockets included), per message of a 1,000-message burst
 * into one chat and of a trickle of one message a second; and the CPU seconds an idle hour costs.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { StatusStream } from '../../simulator/harness/status-stream.js';
import type { SimCommand, SimReply } from './protocol.js';
import { sleep } from '../../simulator/waits.js';

export interface WriteFigures {
  burst: PerMessage;
  trickle: PerMessage;
  /** CPU seconds per hour with nothing happening (measured over `idleSeconds`). */
  idleCpuSecondsPerHour: number;
  idleSeconds: number;
  idleRssMb: number;
}

export interface PerMessage {
  messages: number;
  kbPerMessage: number;
  writeCallsPerMessage: number;
}

export interface Io {
  writeBytes: number;
  writeCalls: number;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** Lets the last deliveries settle and SQLite's WAL writes land before reading the counters. */
const SETTLE_MS = 3_000;

/** The write counters of a process so far. */
export function io(pid: number): Io {
  const fields = Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': ') as [string, string]),
  );
  return { writeBytes: Number(fields.write_bytes), writeCalls: Number(fields.syscw) };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

export async function benchWrites(
  progress: (what: string) => void,
  opts: { burst: number; trickle: number; idleSeconds: number; nodeArgs: string[] },
): Promise<WriteFigures> {
  const simChild = fork(here('./sim-worker.ts'), { execArgv: ['--import', 'tsx'] });
  const next = <T extends SimReply>(kind: SimReply['kind']) =>
    new Promise<T>((resolve) => {
      const listener = (m: SimReply) => {
        if (m.kind !== kind) return;
        simChild.off('message', listener);
        resolve(m as T);
      };
      simChild.on('message', listener);
    });
  const ask = (command: SimCommand, reply: SimReply['kind']) => {
    const answer = next(reply);
    simChild.send(command);
    return answer;
  };
  const { url } = await next<{ kind: 'ready'; url: string }>('ready');
  const receiver = await TestReceiver.start();
  // /var/tmp is on the disk here; /tmp may be tmpfs elsewhere.
  const dataDir = mkdtempSync(join('/var/tmp', 'wab-bench-writes-'));
  const bridge = await BridgeProcess.start({
    built: true,
    nodeArgs: opts.nodeArgs,
    waUrl: url,
    dataDir,
    options: { webhook_enabled: true, webhook_url: receiver.url },
  });
  const status = await StatusStream.open(bridge.ingressUrl);
  try {
    await ask({ kind: 'pair', qr: await status.nextQr() }, 'done');
    await status.waitForState('connected');
    await ask({ kind: 'burst', count: 10, chats: 1, tag: 'warm-up' }, 'sent');
    await receiver.waitForCount(10, 60_000);
    // The page is closed at rest: its event stream would add a write per status change.
    status.close();
    await sleep(SETTLE_MS);
    const pid = bridge.child.pid!;

    const measure = async (what: string, messages: number, run: () => Promise<unknown>): Promise<PerMessage> => {
      progress(`(writes) ${what}`);
      const before = io(pid);
      const delivered = receiver.requests.length;
      await run();
      await receiver.waitForCount(delivered + messages, 600_000);
      await sleep(SETTLE_MS);
      const after = io(pid);
      return {
        messages,
        kbPerMessage: Number(((after.writeBytes - before.writeBytes) / 1024 / messages).toFixed(1)),
        writeCallsPerMessage: Number(((after.writeCalls - before.writeCalls) / messages).toFixed(1)),
      };
    };
    const burst = await measure(`${opts.burst} messages into one chat`, opts.burst, () =>
      ask({ kind: 'burst', count: opts.burst, chats: 1, tag: 'writes' }, 'sent'),
    );
    const trickle = await measure(`${opts.trickle} messages at 1 msg/s`, opts.trickle, () =>
      ask({ kind: 'steady', count: opts.trickle, chats: 1, rate: 1 }, 'sent'),
    );

    progress(`(writes) ${opts.idleSeconds} s idle`);
    await sleep(SETTLE_MS);
    const cpuBefore = cpuSeconds(pid);
    await sleep(opts.idleSeconds * 1000);
    const idleCpuSecondsPerHour = Number((((cpuSeconds(pid) - cpuBefore) * 3600) / opts.idleSeconds).toFixed(1));
    return { burst, trickle, idleCpuSecondsPerHour, idleSeconds: opts.idleSeconds, idleRssMb: Math.round(bridge.rss() / 1024 / 1024) };
  } finally {
    status.close(); // (again, when pairing failed)
    await bridge.kill('SIGTERM');
    await receiver.close();
    simChild.send({ kind: 'stop' } satisfies SimCommand);
  }
}
