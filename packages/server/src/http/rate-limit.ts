import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.ts';
import { ApiError } from './api-error.ts';

/** The caller's address; `local` when there is no socket (in-process tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}

/**
 * A fixed-window limit per client address: a card-testing defence for confirm. Kept in
 * memory, so it counts per gateway process.
 */
export function rateLimit(opts: { perMinute: number; clock: Clock }): MiddlewareHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const now = opts.clock.now();
    const key = clientAddress(c);
    let w = windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      w = { start: now, count: 0 };
      windows.set(key, w);
    }
    if (++w.count > opts.perMinute) {
      c.header('Retry-After', String(Math.ceil((w.start + 60_000 - now) / 1000)));
      throw new ApiError(
        429,
        'rate_limited',
        'Too many payment attempts. Wait a minute and try again.',
        {
          type: 'rate_limit_error',
        },
      );
    }
    await next();
  };
}
