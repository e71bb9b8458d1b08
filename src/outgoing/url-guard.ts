import { lookup as systemLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { UrlAllowList } from '../config/url-allow-option.js';
import { SendError } from './send-error.js';

/** What every refusal ends with: why, and the way out. */
const WHY =
  "a URL there could reach the app's own network (inside Home Assistant: the Supervisor and other apps). To fetch from it anyway, list the host in the 'send_url_allow' option.";

/** Why ipaddr.js puts an address in a range other than `unicast` (the public Internet). */
const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  uniqueLocal: 'a private network address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/**
 * Decides which hosts a `url` send may fetch from: public addresses only, unless `send_url_allow`
 * lists the host. Names are checked before connecting; what they resolve to is checked in the
 * connection's own `lookup`, so the address connected to is the address checked (no second,
 * rebound answer).
 */
export class UrlGuard {
  constructor(private readonly allow: UrlAllowList) {}

  /**
   * Throws a SendError for a URL the app must not fetch. `how` says how the URL was reached,
   * e.g. "'image.url'" or "'image.url' redirects to a URL that".
   */
  check(url: URL, how: string): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new SendError(400, `${how} must start with http:// or https://, not ${url.protocol.slice(0, 20)}//.`);
    // Never echoed: the password is a secret even when it is refused.
    if (url.username || url.password)
      throw new SendError(400, `${how} carries a user name or password (user:password@host): the app sends no credentials; remove them from the URL.`);
    const host = hostOf(url);
    if (this.hostAllowed(host)) return;
    const reason = ipaddr.isValid(host) ? this.addressRefusal(host) : nameRefusal(host);
    if (reason) throw new SendError(403, `${how} points at ${host}, ${reason}; ${WHY}`);
  }

  /**
   * The `lookup` for a request to `url` (already checked): resolves as the system does and fails
   * the connection when an answer is not allowed. Allowed names resolve unchecked.
   */
  lookupFor(url: URL, how: string): LookupFunction | undefined {
    const host = hostOf(url);
    if (this.hostAllowed(host) || ipaddr.isValid(host)) return undefined;
    return ((hostname: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      systemLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
        if (error) return callback(error, '');
        for (const { address } of addresses) {
          const reason = this.addressRefusal(address);
          if (reason) return callback(new SendError(403, `${how} points at ${host}, which resolves to ${address}, ${reason}; ${WHY}`), '');
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    }) as LookupFunction;
  }

  private hostAllowed(host: string): boolean {
    if (this.allow.hostnames.includes(host)) return true;
    return ipaddr.isValid(host) && this.inAllowedNetwork(ipaddr.process(host));
  }

  private inAllowedNetwork(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.allow.networks.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  }

  /** Why an address may not be fetched from, or null when it may (public, or allowed). */
  private addressRefusal(text: string): string | null {
    // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it carries.
    const address = ipaddr.process(text);
    if (this.inAllowedNetwork(address)) return null;
    const range = address.range();
    if (range === 'unicast') return null;
    return RANGE_NAMES[range] ?? `a reserved address (${range})`;
  }
}

/** The URL's host, lower case, without IPv6 brackets and without a trailing dot. */
function hostOf(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/** Names that are internal whatever they resolve to. */
function nameRefusal(host: string): string | null {
  if (host === 'localhost' || host.endsWith('.localhost')) return 'this machine itself';
  if (host === 'local.hass.io' || host.endsWith('.local.hass.io')) return "a name on Home Assistant's internal network";
  // The Supervisor (supervisor, hassio), Home Assistant (homeassistant) and its apps
  // (core-mosquitto, a0d7b954-nodered, addon_...) are single names without a domain.
  if (!host.includes('.')) return 'an internal name (no domain), as the Supervisor, Home Assistant and its apps are named';
  return null;
}
