import ipaddr from 'ipaddr.js';
import type { OptionReader } from './option-reader.js';

/** `send_url_allow`: hosts a `url` send may reach although they are internal (a camera on the LAN). */
export interface UrlAllowList {
  /** Host names, lower case, without a trailing dot. */
  readonly hostnames: readonly string[];
  /** Addresses (as /32 or /128) and CIDR ranges. */
  readonly networks: readonly (readonly [ipaddr.IPv4 | ipaddr.IPv6, number])[];
}

export const NOTHING_ALLOWED: UrlAllowList = { hostnames: [], networks: [] };

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Reads `send_url_allow`: a list of host names, IP addresses and CIDR ranges; wrong entries are dropped (one problem names them). */
export function readUrlAllowList(read: OptionReader): UrlAllowList {
  const name = 'send_url_allow';
  const value = read.list(name, 'a list of host names, IP addresses or ranges such as 192.168.1.0/24', 'nothing is allowed');
  if (value === null) return NOTHING_ALLOWED;
  const hostnames: string[] = [];
  const networks: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const wrong: string[] = [];
  for (const entry of value) {
    const text =
      typeof entry === 'string'
        ? entry
            .trim()
            .toLowerCase()
            .replace(/^\[|\]$/g, '')
        : '';
    if (ipaddr.isValidCIDR(text)) networks.push(unmapped(ipaddr.parseCIDR(text)));
    else if (ipaddr.isValid(text)) {
      const address = ipaddr.process(text);
      networks.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOSTNAME.test(text.replace(/\.$/, ''))) hostnames.push(text.replace(/\.$/, ''));
    else wrong.push(typeof entry === 'string' ? `"${entry.slice(0, 40)}"` : String(entry));
  }
  if (wrong.length) {
    const are = wrong.length > 1 ? 'are' : 'is';
    read.problem(name, `may list host names, IP addresses and ranges such as 192.168.1.0/24; ${wrong.join(', ')} ${are} none of them and ${are} ignored`);
  }
  return { hostnames, networks };
}

/** `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8: addresses are compared in their IPv4 form. */
function unmapped([address, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [address, bits];
}
