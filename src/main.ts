import { hostname } from 'node:os';
import { EnvironmentError, portVariable, readEnvironment, type Environment } from './config/environment.js';
import { loadOptions } from './config/options.js';
import { createLogger } from './logging/logger.js';
import { BridgeRunner } from './bridge-runner.js';
import { isCorruption } from './state/corruption.js';
import { APP_VERSION } from './version.js';

/** Runs the daemon until SIGTERM/SIGINT. Problems a user can cause end in one log line, not a stack trace. */
async function main(): Promise<void> {
  let env;
  try {
    env = readEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    createLogger('info').fatal(`${error.message} Fix the environment variable and start again.`);
    process.exit(1);
  }
  const parsed = loadOptions(env.optionsFile, {
    supervisorAvailable: env.supervisorToken !== null,
    ownAddress: { hosts: ['localhost', '127.0.0.1', '::1', '0.0.0.0', hostname()], ports: [env.ingressPort, env.apiPort] },
  });
  const logger = createLogger(parsed.options.logLevel);
  logger.info(`WhatsApp Bridge ${APP_VERSION} starting (data folder ${env.dataDir}).`);
  for (const problem of parsed.problems) logger.error(problem.message);

  const cannotStart = (error: unknown) => {
    logger.fatal(`Cannot start: ${describeStartupError(error, env)}`);
    process.exit(1);
  };
  // The bridge, started again on a new state file if SQLite finds the file damaged (bridge-runner.ts).
  const bridge = new BridgeRunner({ env, parsed, logger }, cannotStart);
  // A damaged state file surfacing where nothing caught it (a timer, an event handler): recovered, not a crash.
  // Anything else still ends the process as Node would (its stack on stderr, exit 1).
  process.on('uncaughtException', (error) => {
    if (isCorruption(error)) return bridge.damaged({ error, during: 'running' });
    process.stderr.write(`${error?.stack ?? String(error)}\n`);
    process.exit(1);
  });
  try {
    await bridge.start();
  } catch (error) {
    await bridge.stop();
    cannotStart(error);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing in-flight work and stopping.`);
    await bridge.stop();
    logger.info('Stopped. The pairing is kept for the next start.');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (reason) => {
    if (isCorruption(reason)) return bridge.damaged({ error: reason as Error, during: 'running' });
    // Baileys rejects its pending queries when a socket closes (a reconnect): expected, not ours.
    if (isConnectionClosed(reason)) return logger.debug(`A WhatsApp request ended with its socket: ${(reason as Error).message}`);
    logger.error(`Unexpected error, please report it: ${(reason as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(reason)}`);
  });
}

function isConnectionClosed(reason: unknown): boolean {
  const boom = reason as { isBoom?: boolean; output?: { statusCode?: number }; message?: string };
  return Boolean(boom?.isBoom && (boom.output?.statusCode === 428 || /Connection (Closed|Terminated|Lost)/i.test(boom.message ?? '')));
}

const PORT_USES = { API_PORT: "the message API's port", INGRESS_PORT: "the page's port" };

/** A port taken by another program is named with its variable: Node's bind error says which port it was. */
function describeStartupError(error: unknown, env: Environment): string {
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (e.code === 'EADDRINUSE' && e.port !== undefined) {
    const variable = portVariable(env, e.port);
    if (!variable) return `port ${e.port} is already in use; stop whatever uses it.`;
    return `port ${e.port} (${PORT_USES[variable]}) is already in use; stop whatever uses it or set ${variable}.`;
  }
  return e.message ?? String(error);
}

await main();
