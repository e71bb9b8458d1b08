import type { NextFunction, Request, Response } from 'express';
import type { RateLimitedWarning } from '../logging/rate-limited.js';

/**
 * Which `Host` the page answers and which requests may change something.
 *
 * - Under the Supervisor only its ingress proxy (172.30.32.2) connects. Home Assistant's ingress
 *   forwards the browser's `Host` and `Origin` unchanged (Core's ingress view and the Supervisor
 *   copy every request header but a few hop-by-hop ones), so the host is whatever address the
 *   user opens Home Assistant at and cannot be known in advance: a request is answered when it
 *   came through the proxy (it carries `X-Ingress-Path`) with a well-formed `Host`.
 * - Otherwise the page listens on loopback, where a DNS-rebinding page (evil.example resolving
 *   to 127.0.0.1) would reach it with its own name in `Host`: only 127.0.0.1, localhost and
 *   [::1] are answered, on the page's own port, or on any port when a local ingress-like proxy
 *   forwarded the request (`X-Ingress-Path`; such a proxy passes on the browser's Host with the
 *   proxy's port, as Home Assistant's does). A rebinding page cannot put a loopback name in `Host`.
 * - A request that changes something (anything but GET/HEAD) from a browser must be same-origin:
 *   `Sec-Fetch-Site` other than `same-origin` (or `none`, typed by the user) is refused; without
 *   it, an `Origin` other than the `Host` (or the proxy's `X-Forwarded-Host`). Clients sending
 *   neither (curl, scripts) are no browser page and pass.
 */
export interface PageOriginRule {
  /** True under the Supervisor: only its ingress proxy connects. */
  viaSupervisor: boolean;
  /** The port the page is bound to. */
  port(): number;
  refusals: RateLimitedWarning;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SAFE_METHODS = new Set(['GET', 'HEAD']);
const INGRESS_PATH = /^\/api\/hassio_ingress\/[\w-]+$/;

export function pageOriginGuard(rule: PageOriginRule) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refusal = hostRefusal(req, rule) ?? (SAFE_METHODS.has(req.method) ? null : crossOriginRefusal(req, rule));
    if (!refusal) return next();
    rule.refusals.warn(`origin:${refusal.log}`, `Refused a Web UI request (${req.method} ${req.path.slice(0, 60)}): ${refusal.log}.`);
    res.status(403).json({ error: refusal.answer });
  };
}

interface Refusal {
  /** One line for the client: what was refused and what to do. */
  answer: string;
  /** For the log (the header values are the client's: the logger escapes them). */
  log: string;
}

function hostRefusal(req: Request, rule: PageOriginRule): Refusal | null {
  const raw = req.headers.host ?? '';
  const host = parseHost(raw);
  const proxied = INGRESS_PATH.test(String(req.headers['x-ingress-path'] ?? ''));
  const shown = JSON.stringify(raw.slice(0, 100));
  if (rule.viaSupervisor) {
    if (host && proxied) return null;
    return {
      answer: 'Refused: this page answers only through Home Assistant\'s ingress; open it with the app\'s "Open Web UI" button.',
      log: `Host ${shown} without Home Assistant's ingress headers`,
    };
  }
  if (host && LOOPBACK_NAMES.has(host.hostname) && (proxied || host.port === String(rule.port()))) return null;
  return {
    answer: `Refused: the Host ${shown} is not this page's address; open it at http://127.0.0.1:${rule.port()}/ or through Home Assistant.`,
    log: `unexpected Host ${shown}`,
  };
}

/**
 * The browser's own verdict first (Sec-Fetch-Site, sent by every current browser): it holds
 * even behind a reverse proxy that rewrites `Host`. Without it, `Origin` against `Host`.
 */
function crossOriginRefusal(req: Request, rule: PageOriginRule): Refusal | null {
  const site = String(req.headers['sec-fetch-site'] ?? '').toLowerCase();
  if (site === 'same-origin' || site === 'none') return null;
  if (site !== '') {
    const shown = JSON.stringify(site.slice(0, 20));
    return {
      answer: `Refused: a request from another site cannot change anything here (Sec-Fetch-Site: ${shown}); use the app's own page.`,
      log: `Sec-Fetch-Site: ${shown}`,
    };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const shown = JSON.stringify(origin.slice(0, 100));
  const originHost = parseOrigin(origin);
  const hosts = [req.headers.host, ...(rule.viaSupervisor ? forwardedHosts(req) : [])];
  if (originHost && hosts.some((h) => h !== undefined && sameHost(originHost, h))) return null;
  return {
    answer: `Refused: the Origin ${shown} is not this page's; changes are accepted only from the app's own page.`,
    log: `cross-origin Origin ${shown}`,
  };
}

/** `host[:port]` as a URL would hold it, or null for anything else (userinfo, a path, empty). */
function parseHost(raw: string): URL | null {
  if (!raw || /[\s/\\@?#]/.test(raw)) return null;
  try {
    return new URL(`http://${raw}`);
  } catch {
    return null;
  }
}

function parseOrigin(origin: string): URL | null {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin.toLowerCase() ? url : null;
  } catch {
    return null;
  }
}

/** Whether a `Host` value names the origin's host and port (the default port of its scheme may be left out). */
function sameHost(origin: URL, host: string): boolean {
  if (/[\s/\\@?#]/.test(host)) return false;
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/** The hosts a reverse proxy in front of Home Assistant named (X-Forwarded-Host may be a list). */
function forwardedHosts(req: Request): string[] {
  const value = req.headers['x-forwarded-host'];
  return (Array.isArray(value) ? value : [value ?? ''])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
