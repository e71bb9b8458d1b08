// A real MQTT broker for the tests and the idle benchmark: Debian's mosquitto on 127.0.0.1 with a password file, and the
// npm `mqtt` client on the test's side (the one a Home Assistant install would be).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { until, waitForEvent } from '../waits.js';
import { systemCommand } from './system-command.js';

export const mosquitto = systemCommand('mosquitto', 'mosquitto');
const passwd = systemCommand('mosquitto_passwd', 'mosquitto');
export const needsMosquitto = mosquitto.skip || passwd.skip;

export const BROKER_USER = 'bridge';
export const BROKER_PASSWORD = 'broker-password-for-tests';

/** A mosquitto process with one user; `stop` and `start` again keep its port (an outage). */
export class TestBroker {
  private process: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    private readonly config: string,
  ) {}

  /** `persistent`: sessions and retained messages survive a stop (saved at SIGTERM), as the Mosquitto app keeps them. */
  static async start(opts: { persistent?: boolean } = {}): Promise<TestBroker> {
    const dir = mkdtempSync(join(tmpdir(), 'wab-mqtt-'));
    const passwordFile = join(dir, 'passwords');
    const made = spawnSync(passwd.path!, ['-c', '-b', passwordFile, BROKER_USER, BROKER_PASSWORD]);
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
    const port = await freePort();
    const config = join(dir, 'mosquitto.conf');
    const persistence = opts.persistent ? `persistence true\npersistence_location ${dir}/\n` : 'persistence false\n';
    // Started as root (CI), mosquitto would switch to its own user, who cannot read this test's files.
    const user = process.getuid?.() === 0 ? 'user root\n' : '';
    writeFileSync(config, `${user}listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwordFile}\n${persistence}`);
    const broker = new TestBroker(port, config);
    await broker.resume();
    return broker;
  }

  /** Starts the process again on the same port. */
  async resume(): Promise<void> {
    const child = spawn(mosquitto.path!, ['-c', this.config], { stdio: 'ignore' });
    this.process = child;
    let exited = false;
    await until(
      'mosquitto to accept connections',
      async () => {
        if (child.exitCode !== null) return (exited = true);
        await (await this.client()).endAsync();
        return true;
      },
      5_000,
    );
    if (exited) throw new Error(`mosquitto exited with ${child.exitCode}`);
  }

  /** Ends the broker process (this test's own, by PID). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** A client as Home Assistant would be, logged in as the test user; with `clientId`, a session the broker keeps. */
  client(clientId?: string): Promise<MqttClient> {
    const session = clientId ? { clientId, clean: false } : {};
    return connectAsync({
      host: '127.0.0.1',
      port: this.port,
      username: BROKER_USER,
      password: BROKER_PASSWORD,
      reconnectPeriod: 0,
      connectTimeout: 2_000,
      ...session,
    });
  }

  /** The bridge's options for this broker as an external one. */
  options(password = BROKER_PASSWORD): Record<string, unknown> {
    return { mqtt_host: '127.0.0.1', mqtt_port: this.port, mqtt_username: BROKER_USER, mqtt_password: password };
  }
}

/** Every message a subscription gets, with its retain flag, in order. */
export class Recorder {
  readonly messages: { topic: string; payload: string; retain: boolean }[] = [];

  /** Emits 'message' after each message is recorded. */
  private readonly arrived = new EventEmitter();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain });
      this.arrived.emit('message');
    });
  }

  static async on(broker: TestBroker, ...filters: string[]): Promise<Recorder> {
    return Recorder.session(broker, undefined, ...filters);
  }

  /** A recorder whose session (its subscriptions and what they missed) the broker keeps while it is away. */
  static async session(broker: TestBroker, clientId: string | undefined, ...filters: string[]): Promise<Recorder> {
    const client = await broker.client(clientId);
    const recorder = new Recorder(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return recorder;
  }

  on(topic: string) {
    return this.messages.filter((m) => m.topic === topic);
  }

  /** The last payload seen on `topic`, or undefined. */
  last(topic: string): string | undefined {
    return this.on(topic).at(-1)?.payload;
  }

  /** Resolves with what `find` gives once it is truthy, re-checking at each message. */
  async waitFor<T>(find: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return waitForEvent(this.arrived, ['message'], () => find() || undefined, timeoutMs, what).catch((error: Error) => {
      throw new Error(`${error.message}; seen: ${this.messages.map((m) => m.topic).join(', ')}`);
    });
  }

  /**
   * Resolves once everything the broker had routed to this recorder has come: the retained
   * messages of its subscriptions, and every message published before the call. No packet says
   * so, but mosquitto keeps one queue per client and handles a client's packets in order, so a
   * message of the recorder's own, on a topic of its own, comes back after all of them.
   */
  async caughtUp(): Promise<void> {
    const marker = `wab-test/caught-up/${randomBytes(6).toString('hex')}`;
    await this.client.subscribeAsync(marker, { qos: 1 });
    await this.client.publishAsync(marker, 'end', { qos: 1 });
    await this.waitFor(() => this.on(marker).length > 0, 'the messages routed before');
    await this.client.unsubscribeAsync(marker);
    this.messages.splice(
      this.messages.findIndex((m) => m.topic === marker),
      1,
    );
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** What the broker holds retained under `filter` now, as a new subscriber (Home Assistant starting) gets it. */
export async function retainedOn(broker: TestBroker, filter: string): Promise<Map<string, string>> {
  const recorder = await Recorder.on(broker, filter);
  await recorder.caughtUp();
  await recorder.close();
  return new Map(recorder.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
}
