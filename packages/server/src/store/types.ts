/**
 * The store's contract: rows and filters (rows.ts), the repositories a transaction and a
 * read see (repos/, composed in repos/compose.ts), and the Store itself.
 */

export type { StoreRead, StoreTx } from './repos/compose.ts';
export type * from './rows.ts';

import type { Directory } from './directory.ts';
import type { StoreRead, StoreTx } from './repos/compose.ts';

export type { Directory } from './directory.ts';

export interface Store {
  /** Which kind of database: reports and the bench say it. */
  readonly kind: 'sqlite' | 'postgres';
  /** Called after a commit that queued jobs (in any process sharing the database, where
   * the store can tell), so a worker can start on them at once. */
  onJobsCommitted(listener: () => void): void;
  /** Called with an intent's id after a commit that changed it (in any process sharing
   * the database, where the store can tell): the payment page's stream follows it.
   * Returns a function that stops listening. */
  onIntentChanged(listener: (id: string) => void): () => void;
  /**
   * A number that changes whenever a merchant, an API key, a processor account or a
   * webhook endpoint may have changed, in this process or another sharing the database
   * (PostgreSQL: LISTEN/NOTIFY; SQLite: its data_version and this process's commits).
   * NaN while the store cannot tell (its listener is reconnecting): then nothing may be
   * cached. Per-process caches of those rows compare it before each use.
   */
  configVersion(): number;
  /** Keys, merchants, accounts and endpoints outside a transaction, from this process's
   * cache when it is current (config-cache.ts). Never inside a transaction: use `tx`. */
  readonly directory: Directory;
  /** Runs `fn` atomically: all of its writes commit together, or none do. Calling the
   * store again from inside `fn` throws at once (use `tx`). */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Runs one statement that is atomic by itself (an upsert, a conditional update) with no
   * transaction around it: on PostgreSQL one round trip instead of three. A second
   * statement, or a write that must wake others (jobs, intents, configuration), throws.
   */
  once<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs read-only work on committed data; writing is not possible here. */
  read<T>(fn: (tx: StoreRead) => Promise<T>): Promise<T>;
  /** A pooled store's connections: open, idle, and callers waiting for one (metrics). */
  connections?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
