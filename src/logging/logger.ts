import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/options.js';

export type { Logger };

/** Home Assistant's option names for levels, mapped to pino's. */
const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
};

/**
 * Readable lines for the app's Log tab ("2026-11-21 13:40:02 INFO: ..."), not JSON.
 * Secrets are never passed to the logger; the redact list is a safety net for header objects.
 */
export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stdout): Logger {
  const stream = pretty({
    destination,
    sync: true,
    colorize: false,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname,module',
    singleLine: true,
  });
  return pino(
    {
      level: PINO_LEVEL[level],
      redact: {
        paths: ['*.authorization', '*.Authorization', '*["x-webhook-token"]', '*.token', '*.secret', '*.apiToken'],
        censor: '[hidden]',
      },
    },
    stream,
  );
}

/**
 * Baileys logs a great deal about the protocol; the user only sees it when they asked for
 * debug or trace.
 */
export function baileysLogger(logger: Logger, level: LogLevel): Logger {
  return logger.child({ module: 'baileys' }, { level: level === 'trace' || level === 'debug' ? PINO_LEVEL[level] : 'silent' });
}
