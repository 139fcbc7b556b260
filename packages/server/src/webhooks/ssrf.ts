import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import type { AddressPolicy } from '../config.ts';

export type { AddressPolicy };

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * True for addresses on the public internet; false for loopback, private, link-local,
 * and every IPv6 form that is not global unicast (IPv4-compatible `::127.0.0.1`, 6to4,
 * Teredo and NAT64 prefixes that embed an internal IPv4 address are all refused).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  if (ip.range() !== 'unicast') return false;
  return ip.kind() === 'ipv4' || ip.match(GLOBAL_UNICAST_V6);
}

function inAllowList(value: string, allowed: readonly string[]): boolean {
  const ip = ipaddr.isValid(value) ? ipaddr.parse(value) : null;
  return allowed.some((entry) => {
    if (entry.toLowerCase() === value.toLowerCase()) return true;
    if (!ip || !entry.includes('/')) {
      return (
        ip !== null && ipaddr.isValid(entry) && ipaddr.parse(entry).toString() === ip.toString()
      );
    }
    const [range, bits] = ipaddr.parseCIDR(entry);
    return range.kind() === ip.kind() && ip.match(range, bits);
  });
}

/** Whether the policy lets a webhook reach this address (of `host`). */
export function addressAllowed(policy: AddressPolicy, host: string, address: string): boolean {
  return (
    policy.allowPrivate ||
    isPublicAddress(address) ||
    inAllowList(host, policy.allowed) ||
    inAllowList(address, policy.allowed)
  );
}

export class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`refused to send to ${host}: it resolves to a non-public address (${address})`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * A `lookup` for http.request that refuses addresses the policy does not allow.
 * Checking the address the socket actually connects to (not a separate lookup
 * beforehand) closes the DNS rebinding gap.
 */
export function policyLookup(policy: AddressPolicy) {
  return (
    hostname: string,
    options: object,
    callback: (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => !addressAllowed(policy, hostname, a.address));
      if (bad) return callback(new BlockedAddressError(hostname, bad.address), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
