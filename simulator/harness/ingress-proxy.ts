import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../waits.js';

export interface IngressProxy {
  /** The prefixed base URL, with a trailing slash: http://127.0.0.1:<port>/api/hassio_ingress/<token>/ */
  url: string;
  /** The prefix the proxy strips and announces in X-Ingress-Path. */
  ingressPath: string;
  port: number;
  stop(): Promise<void>;
}

export interface IngressProxyOptions {
  /** The bridge's ingress port on 127.0.0.1. */
  upstreamPort: number;
  nginxPath?: string;
  /** How long to wait for nginx to accept connections. */
  startTimeoutMs?: number;
}

/**
 * A real reverse proxy that behaves like Home Assistant's ingress in front of the app: nginx on
 * 127.0.0.1 serves /api/hassio_ingress/<random token>/..., strips that prefix, adds X-Ingress-Path,
 * drops Accept-Encoding and streams (no buffering, so Server-Sent Events pass through).
 */
export async function startIngressProxy(options: IngressProxyOptions): Promise<IngressProxy> {
  const nginx = options.nginxPath ?? '/usr/sbin/nginx';
  const token = randomBytes(24).toString('hex');
  const ingressPath = `/api/hassio_ingress/${token}`;
  const dir = mkdtempSync(join(tmpdir(), 'ingress-proxy-'));
  for (const sub of ['logs', 'client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    location ${ingressPath}/ {
      proxy_pass http://127.0.0.1:${options.upstreamPort}/;
      proxy_set_header X-Ingress-Path ${ingressPath};
      proxy_set_header Accept-Encoding "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_buffering off;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 1h;
    }
    location / { return 404; }
  }
}
`,
  );

  const child = spawn(nginx, ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'logs', 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (error) => (stderr += String(error)));

  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await waitUntilListening(port, child, exited, options.startTimeoutMs ?? 10_000, () => stderr + errorLog(dir));
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    cleanup();
    throw error;
  }

  let stopped: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}${ingressPath}/`,
    ingressPath,
    port,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(timer);
        }
        cleanup();
      })()),
  };
}

function errorLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'logs', 'error.log'), 'utf8');
  } catch {
    return '';
  }
}

/** A port nobody listens on right now (the kernel picks it; nginx binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Tries to connect until nginx accepts, failing early if it exits. */
async function waitUntilListening(
  port: number,
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  diagnostics: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone || child.exitCode !== null) throw new Error(`nginx exited before accepting connections (code ${child.exitCode}):\n${diagnostics()}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nginx did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms:\n${diagnostics()}`);
    // Wait for either the process to exit or a short retry interval, whichever comes first.
    await Promise.race([exited, sleep(25)]);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
