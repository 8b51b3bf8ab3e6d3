import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';

/**
 * Where webhooks may go (issue 14, SSRF): public unicast addresses only, unless the operator
 * allows private ones (WEBHOOK_ALLOW_PRIVATE_NETWORKS). Checked on the address actually
 * connected to, after DNS resolution (a name that resolves, or later re-resolves, to
 * 127.0.0.1 is refused too), and on IP literals, which Node connects to without a lookup.
 */
export function addressAllowed(address: string, allowPrivate: boolean): boolean {
  if (allowPrivate) return true;
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

export const BLOCKED = 'the webhook address is not allowed (loopback, private, link-local or unspecified)';

/** The URL's own host, when it is an IP literal or a local name: refused before any connection. */
export function urlAllowed(url: string, allowPrivate: boolean): boolean {
  if (allowPrivate) return true;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '') return false;
  return isIP(host) === 0 || addressAllowed(host, false);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** An undici dispatcher whose every connection goes only to allowed addresses. */
export function webhookDispatcher(allowPrivate: boolean): Agent {
  const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((a) => addressAllowed(a.address, allowPrivate));
      if (allowed.length === 0) {
        return callback(Object.assign(new Error(BLOCKED), { code: 'EADDRNOTALLOWED' }), []);
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
  return new Agent({ connect: { lookup: lookup as never }, connections: 16 });
}
