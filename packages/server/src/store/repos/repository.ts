import type { ConfigCache } from '../config-cache.ts';
import type { Dialect } from '../dialect.ts';
import type { Executor } from '../executor.ts';

/** One aggregate's statements on one connection: what reads may do, and what only a
 * transaction may (a read's view is built from `read` alone, so it has no way to write). */
export interface Repository<R, W> {
  read: R;
  write: W;
}

export type MakeRepository<R, W> = (
  ex: Executor,
  d: Dialect,
  cache: ConfigCache,
) => Repository<R, W>;

/** Declares a repository (typed by its read and write halves). */
export const repository = <R, W>(make: MakeRepository<R, W>) => make;

/** A configuration read through the process's cache, except in a transaction that
 * changed configuration: that one reads its own writes. */
export const throughCache = <T>(
  ex: Executor,
  cache: ConfigCache,
  key: string,
  load: () => Promise<T>,
): Promise<T> => (ex.commit.config ? load() : cache.get(key, load));
