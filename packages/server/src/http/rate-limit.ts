import { createHmac } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/types.ts';
import { ApiError } from './api-error.ts';

const WINDOW_MS = 60_000;

/** The socket's peer address; `local` when there is no socket (in-process tests). */
function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}

function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
    ? (ip as ipaddr.IPv6).toIPv4Address()
    : ip;
}

function inList(address: string, list: readonly string[]): boolean {
  const ip = parse(address);
  if (!ip) return false;
  return list.some((entry) => {
    if (!entry.includes('/')) return parse(entry)?.toString() === ip.toString();
    const [range, bits] = ipaddr.parseCIDR(entry);
    return range.kind() === ip.kind() && ip.match(range, bits);
  });
}

/**
 * The client's address: the socket's peer, or — when the peer is a trusted proxy — the
 * right-most `X-Forwarded-For` entry that is not one of our proxies (the left ones are
 * whatever the client chose to send).
 */
export function clientAddress(c: Context, trustedProxies: readonly string[] = []): string {
  let address = peerAddress(c);
  if (trustedProxies.length === 0 || !inList(address, trustedProxies)) return address;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = hops[i] as string;
    if (!inList(address, trustedProxies)) break;
  }
  return address;
}

/** One client for the limits: an IPv4 address, or an IPv6 /64 (what one host gets). */
export function addressGroup(address: string): string {
  const ip = parse(address);
  if (!ip) return address;
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/** A keyed hash of the client's address group: no raw address is stored. */
export function clientKeyOf(
  c: Context,
  config: Pick<Config, 'clientKeySecret' | 'trustedProxies'>,
) {
  return createHmac('sha256', config.clientKeySecret)
    .update(addressGroup(clientAddress(c, config.trustedProxies)))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * A fixed-window limit per client (and per whatever `scope` adds, such as the key): a
 * card-testing and enumeration defence. The counters live in the database, so every
 * gateway process shares them and no volume of other clients can reset one.
 */
/**
 * Counts one hit of `key` in the current minute, in the database (every process shares
 * it); past `perMinute`, a 429 with `message` and the seconds until the next window.
 */
export async function hitLimit(
  c: Context,
  o: { store: Store; clock: Clock; key: string; perMinute: number; message: string },
) {
  const now = o.clock.now();
  const windowStart = now - (now % WINDOW_MS);
  const count = await o.store.once((tx) => tx.rateLimits.hit(o.key, windowStart));
  if (count > o.perMinute) {
    c.header('Retry-After', String(Math.ceil((windowStart + WINDOW_MS - now) / 1000)));
    throw new ApiError(429, 'rate_limited', o.message, { type: 'rate_limit_error' });
  }
}

export function rateLimit(opts: {
  name: string;
  perMinute: number;
  store: Store;
  clock: Clock;
  config: Pick<Config, 'clientKeySecret' | 'trustedProxies'>;
  scope?: (c: Context) => string;
  message: string;
}): MiddlewareHandler {
  return async (c, next) => {
    const key = `${opts.name}:${opts.scope?.(c) ?? ''}:${clientKeyOf(c, opts.config)}`;
    await hitLimit(c, { ...opts, key });
    await next();
  };
}
