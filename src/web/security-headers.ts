import type { NextFunction, Request, Response } from 'express';

/**
 * The page may only be framed by Home Assistant's own frontend (same origin through ingress),
 * load nothing from elsewhere, and run no inline script.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');
/** The message API answers JSON and files only: nothing to run, nothing to frame. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

function headers(policy: string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.set({ 'Content-Security-Policy': policy, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  };
}

export const pageSecurityHeaders = headers(PAGE_POLICY);
export const apiSecurityHeaders = headers(API_POLICY);
