import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForEvent } from '../waits.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The node flags of package.json's "start" script (what run.sh execs in the image). */
const START_FLAGS = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ').slice(1, -1);

/**
 * The daemon as a real child process (what run.sh execs, via tsx): for signals, kill -9 and
 * restarts. Its log lines are collected; `waitForLog` waits for one.
 */
export class BridgeProcess {
  readonly lines: string[] = [];
  private readonly logged = new EventEmitter();
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ingressUrl = '';

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts the daemon with an options.json in `dataDir` (a new temp dir by default). */
  static async start(opts: {
    options: Record<string, unknown> | string | null;
    waUrl: string;
    dataDir?: string;
    env?: Record<string, string>;
    built?: boolean;
    nodeArgs?: string[];
    /** A command the daemon runs under (e.g. `unshare -m ...`), given node and its arguments last. */
    wrapper?: string[];
  }): Promise<BridgeProcess> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wab-daemon-'));
    if (opts.options !== null) writeFileSync(join(dataDir, 'options.json'), typeof opts.options === 'string' ? opts.options : JSON.stringify(opts.options));
    // `built`: run dist/main.js as `npm start` and run.sh do in the image.
    const command = [process.execPath, ...(opts.nodeArgs ?? []), ...(opts.built ? [...START_FLAGS, `${ROOT}dist/main.js`] : ['--import', 'tsx', MAIN])];
    const [program, ...args] = [...(opts.wrapper ?? []), ...command];
    const child = spawn(program!, args, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        INGRESS_PORT: '0',
        API_PORT: '0',
        WA_WEBSOCKET_URL: opts.waUrl,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const bridge = new BridgeProcess(child, dataDir);
    const listening = await Promise.race([bridge.waitForLog(/Web UI listening on port (\d+)/, 15_000), bridge.exited.then(() => null)]);
    if (listening) bridge.ingressUrl = `http://127.0.0.1:${/port (\d+)/.exec(listening)![1]}/`;
    return bridge;
  }

  waitForLog(re: RegExp, timeoutMs = 9000): Promise<string> {
    return waitForEvent(this.logged, ['line'], () => this.lines.find((l) => re.test(l)), timeoutMs, `log ${re}`);
  }

  /** The process's resident memory in bytes, from /proc. */
  rss(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  /** Resolves when the process has exited. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /** Sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    this.child.kill(signal);
    const result = await this.exited;
    return { ...result, ms: Date.now() - started };
  }

  private onLine(line: string): void {
    this.lines.push(line);
    this.logged.emit('line');
  }
}
