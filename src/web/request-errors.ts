import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logging/logger.js';

/** At most this much of a path goes into a log line. */
const MAX_LOGGED_PATH = 200;

/** Which request, for the log: method and path, without the query (it may carry a token), escaped and cut short. */
export function requestLine(req: Request): string {
  const path = (req.originalUrl ?? req.url).split('?')[0]!.slice(0, MAX_LOGGED_PATH);
  return `${req.method} ${JSON.stringify(path).slice(1, -1)}`;
}

/** The last route of a server: an unknown path is a JSON 404 saying what there is, never Express's HTML page. */
export function unknownPath(there: string) {
  return (req: Request, res: Response): void => {
    res.status(404).json({ error: `Unknown path ${req.method} ${req.path.slice(0, MAX_LOGGED_PATH)}: ${there}` });
  };
}

/** A `%` in the URL that is not followed by two hex digits (Express answers it with a URIError). */
export function isBadEscape(error: unknown): boolean {
  return error instanceof URIError;
}

export const BAD_ESCAPE = "The URL has a bad %-escape: a '%' must be followed by two hex digits (write a literal '%' as %25).";

/**
 * The end of every error handler: an error no route answered is a 500 with one line, and the
 * log names the request. Once the answer has begun there is nothing to correct: the connection
 * is closed, so the client sees a cut answer rather than a wrong one.
 */
export function answerFailure(logger: Logger, server: string) {
  return (error: Error, req: Request, res: Response, _next: NextFunction): void => {
    logger.error(`${server}: ${requestLine(req)} failed: ${String(error?.message ?? error).replace(/\s+/g, ' ')}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).json({ error: 'The app could not handle this request; its log says why.' });
  };
}
