import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/options.js';
import { escapeControls } from '../text/harmless-text.js';

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
 * One record is always one line: messages carry text contacts chose (push names, file names,
 * message ids), so their control characters are shown escaped here, at the one place every
 * line passes, and objects (with errors among them) are printed as one line of JSON.
 */
export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stdout): Logger {
  const stream = pretty({
    destination,
    sync: true,
    colorize: false,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname,module,drawing',
    singleLine: true,
    // A QR drawing (linking-helpers.ts) is the one record of several lines: block characters only.
    messageFormat: (record, messageKey) =>
      escapeControls(String(record[messageKey] ?? '')) + (typeof record.drawing === 'string' ? `\n${record.drawing.replace(/[^\n ▀▄█]/g, '')}` : ''),
  });
  return pino(
    {
      level: PINO_LEVEL[level],
      // pino-pretty prints `err` with its stack over many lines: under another key it is JSON on the record's line.
      formatters: { log: ({ err, ...rest }) => (err === undefined ? rest : { ...rest, failure: err instanceof Error ? pino.stdSerializers.err(err) : err }) },
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
