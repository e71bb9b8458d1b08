import type { Logger } from './types.js';

/** The default logger: discards everything. */
export const silentLogger: Logger = {
  level: 'silent',
  child: () => silentLogger,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
