import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { createConfigCache } from '../config-cache.ts';
import { createDirectory } from '../directory.ts';
import { PendingCommit } from '../executor.ts';
import { guarded, intentListeners } from '../guard.ts';
import { createRepositories } from '../repos/compose.ts';
import type { Store } from '../types.ts';
import { createCommitQueue } from './commit-queue.ts';
import { sqliteDialect } from './dialect.ts';
import { sqliteExecutor } from './executor.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for tests. */
  filename: string;
  /** `NORMAL` (default, in WAL mode) survives a crash of the process; `FULL` survives
   * power loss too, at one fsync per commit. */
  synchronous?: 'FULL' | 'NORMAL';
  /** The page cache in MB (default 8). */
  cacheMb?: number;
  /** Checkpoint the WAL from a background thread (default, for files) instead of inside
   * commits on the event loop. */
  backgroundCheckpoints?: boolean;
}

/**
 * The embedded store: one SQLite file in WAL mode, migrated on open. All access is
 * serialised through one connection, so transactions never interleave; transactions that
 * queue up under load are committed together (see commit-queue.ts).
 *
 * @example
 * const store = createSqliteStore({ filename: './data/kassa.db' });
 */
export function createSqliteStore(opts: SqliteStoreOptions): Store {
  const onDisk = opts.filename !== ':memory:' && opts.filename !== '';
  if (onDisk) {
    mkdirSync(dirname(opts.filename), { recursive: true });
    // The database holds webhook signing secrets and sealed processor keys: the owner's
    // alone. The file is made before SQLite opens it, so it is never readable by others.
    if (!existsSync(opts.filename)) writeFileSync(opts.filename, '', { mode: 0o600 });
  }
  const sqlite = new Database(opts.filename);
  sqlite.pragma('journal_mode = WAL');
  if (onDisk) {
    for (const file of [opts.filename, `${opts.filename}-wal`, `${opts.filename}-shm`]) {
      if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    }
  }
  sqlite.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's default 2 MB page cache stops holding the hot index pages once tables reach
  // millions of rows. The cache counts in the process's memory as it fills.
  sqlite.pragma(`cache_size = -${(opts.cacheMb ?? 8) * 1024}`);
  // Each request in a group commit runs inside a savepoint (so that one failing rolls back
  // alone), and a savepoint keeps the pages it changes in a statement journal: in a temp
  // file by default, which cost ~0.04 ms of CPU per create. In memory it is a few pages.
  sqlite.pragma('temp_store = MEMORY');
  migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS });
  const checkpointer =
    opts.filename !== ':memory:' && opts.backgroundCheckpoints !== false
      ? startCheckpointer(sqlite, opts.filename)
      : null;

  const ex = sqliteExecutor(sqlite);
  const cache = createConfigCache(() => configVersion());
  const { tx, read } = createRepositories(ex, sqliteDialect, cache);
  const jobListeners: (() => void)[] = [];
  const changes = intentListeners();
  const queue = createCommitQueue(sqlite, { maxGroup: MAX_COMMIT_GROUP });

  // Another connection's commits (a `kassa` command beside the gateway) move SQLite's
  // data_version; this process's own configuration changes move `local`.
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  let local = 0;
  let seen = dataVersion.get();
  let wakeQueued = false;
  // Asked once per turn of the event loop: what another process committed meanwhile is
  // seen from the next turn on (a request's lookups are a few microseconds apart).
  let checked = false;
  const configVersion = () => {
    if (!checked) {
      checked = true;
      setImmediate(() => {
        checked = false;
      });
      const now = dataVersion.get();
      if (now !== seen) {
        seen = now;
        local++;
      }
    }
    return local;
  };
  const committed = (pending: PendingCommit) => {
    if (pending.config) local++;
    for (const id of new Set(pending.intents)) changes.emit(id);
    if (pending.jobs > 0 && !wakeQueued) {
      // Once for every transaction a commit group made.
      wakeQueued = true;
      queueMicrotask(() => {
        wakeQueued = false;
        for (const l of jobListeners) l();
      });
    }
    for (const f of pending.after) f();
  };

  const store: Store = guarded({
    kind: 'sqlite',
    transaction: async (fn) => {
      const pending = new PendingCommit();
      const result = await queue.write(async () => {
        // Transactions run one at a time on the connection: its notes are this one's.
        ex.current = pending;
        ex.writing = true;
        try {
          const result = await fn(tx);
          // Before the commit as well as after it: nothing read from now on, committed
          // or not, is kept under the version from before the change.
          if (pending.config) local++;
          return result;
        } finally {
          ex.current = IDLE;
          ex.writing = false;
        }
      });
      committed(pending);
      return result;
    },
    // One connection, one writer: a statement of its own is a transaction like any other,
    // held to the same one-statement rule.
    once: (fn) =>
      store.transaction(async (t) => {
        ex.once(true);
        try {
          const result = await fn(t);
          if (ex.current.jobs > 0 || ex.current.intents.length > 0 || ex.current.config) {
            throw new Error('store.once() cannot wake others: use store.transaction()');
          }
          return result;
        } finally {
          ex.once(false);
        }
      }),
    read: (fn) => queue.read(() => fn(read)),
    onIntentChanged: (listener) => changes.add(listener),
    onJobsCommitted: (listener) => {
      jobListeners.push(listener);
    },
    configVersion,
    directory: createDirectory(cache, (fn) => store.read(fn)),
    close: async () => {
      await checkpointer?.stop();
      await queue.read(async () => sqlite.close());
    },
  });
  return store;
}

/** Notes of work outside any transaction: a read writes nothing, so they stay empty. */
const IDLE = new PendingCommit();

/** Transactions committed together at most, when they queue up under load. */
const MAX_COMMIT_GROUP = 64;
/** How often the background thread checkpoints the WAL. */
const CHECKPOINT_INTERVAL_MS = 200;
/** If that thread falls behind or dies, commits checkpoint again past this many pages. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * Moves WAL checkpoints to a worker thread with its own connection. The main connection
 * keeps a high automatic checkpoint as a safety net, and the WAL file is trimmed back
 * after it has grown.
 */
function startCheckpointer(sqlite: Database.Database, filename: string) {
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const thread = new Worker(new URL('./checkpointer.js', import.meta.url), {
    workerData: { filename, intervalMs: CHECKPOINT_INTERVAL_MS },
    // Not the parent's loader flags: the thread is plain JavaScript.
    execArgv: [],
    // It holds next to nothing: a small heap keeps its share of the memory small.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 2 },
  });
  thread.unref();
  let failed = false;
  const stopped = new Promise<void>((resolve) => {
    thread.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'error' && !failed) {
        failed = true;
        // Commits checkpoint on their own past the fallback size; say so once.
        process.emitWarning(`WAL checkpointer: ${m.message}`);
      }
    });
    thread.once('exit', () => resolve());
    thread.once('error', (err) => {
      process.emitWarning(`WAL checkpointer stopped: ${err.message}`);
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
      resolve();
    });
  });
  return {
    async stop() {
      // Referenced again, or the process could exit while we wait for the last round.
      thread.ref();
      thread.postMessage('stop');
      await stopped;
    },
  };
}
