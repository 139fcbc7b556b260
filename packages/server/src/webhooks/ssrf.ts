import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/** True for addresses on the public internet; false for loopback, private, link-local … */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  return ip.range() === 'unicast';
}

export class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`refused to send to ${host}: it resolves to a non-public address (${address})`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * A `lookup` for http.request that refuses non-public addresses. Checking the address
 * the socket actually connects to (not a separate lookup beforehand) closes the DNS
 * rebinding gap.
 */
export function publicOnlyLookup(
  hostname: string,
  options: object,
  callback: (
    err: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
) {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => !isPublicAddress(a.address));
    if (bad) return callback(new BlockedAddressError(hostname, bad.address), []);
    const all = (options as { all?: boolean }).all;
    if (all) return callback(null, list);
    const first = list[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}
