import { sql } from '../executor.ts';
import { repository } from './repository.ts';

export type RateLimitReads = Record<never, never>;

export interface RateLimitWrites {
  /** Counts one hit in a fixed window; returns the count in the current window. */
  hit(key: string, windowStart: number): Promise<number>;
  /** Drops counters of windows that started before `before`. */
  purge(before: number): Promise<number>;
}

/** Fixed-window counters in the database, so every process counts the same hits. */
export const rateLimitsRepository = repository<RateLimitReads, RateLimitWrites>((ex) => ({
  read: {},
  write: {
    hit: async (key, windowStart) => {
      // One statement: a new window restarts the count, the same window adds one.
      const [r] = await ex.all(
        ...sql`INSERT INTO rate_limits AS r (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
          ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN r.window_start = excluded.window_start THEN r.count + 1 ELSE 1 END,
            window_start = excluded.window_start
          RETURNING count`.args,
      );
      return Number(r?.count ?? 1);
    },
    purge: (before) => ex.run(...sql`DELETE FROM rate_limits WHERE window_start < ${before}`.args),
  },
}));
