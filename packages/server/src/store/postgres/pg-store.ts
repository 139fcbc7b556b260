import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { createConfigCache } from '../config-cache.ts';
import { createDirectory } from '../directory.ts';
import { PendingCommit } from '../executor.ts';
import { guarded, intentListeners } from '../guard.ts';
import { createRepositories, type StoreRead, type StoreTx } from '../repos/compose.ts';
import type { Store } from '../types.ts';
import { pgDialect } from './dialect.ts';
import { type PgExecutor, pgExecutor } from './executor.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Beside the sources, or (in the built bundle, beside SQLite's) `pg-migrations`. */
const MIGRATIONS = existsSync(join(HERE, 'pg-migrations'))
  ? join(HERE, 'pg-migrations')
  : join(HERE, 'migrations');

export interface PgStoreOptions {
  /** `postgres://user@host:5432/db` */
  url: string;
  /** Connections this process keeps at most (default 10). */
  poolSize?: number;
  /** A statement running longer than this is cancelled, in ms (default 5000). */
  statementTimeoutMs?: number;
  /** The schema to use (default `public`); tests give each gateway its own. */
  schema?: string;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

/** NOTIFY channels: new jobs for the workers, changed intents for the pages, and changed
 * merchants, keys, processor accounts or endpoints for every process's caches. */
const JOBS_CHANNEL = 'kassa_jobs';
const INTENTS_CHANNEL = 'kassa_intents';
const CONFIG_CHANNEL = 'kassa_config';
/** A fixed advisory-lock id: migrations run one process at a time. */
const MIGRATION_LOCK = 727_001;
/** The longest wait between two attempts to listen again after the listener broke. */
const MAX_RELISTEN_MS = 5_000;

type Pg = typeof pg;

/** bigint (counts, ids of serials) as numbers: every value here is below 2^53. */
const typesOf = (driver: Pg) => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : driver.types.getTypeParser(oid, format as 'text')) as typeof driver.types.getTypeParser,
});

/** Notes of work outside any transaction: a read writes nothing, so they stay empty. */
const IDLE = new PendingCommit();

/**
 * The PostgreSQL store, for several gateway and worker processes on one database: every
 * rule that SQLite's single writer used to give for free is a statement here (status
 * checks in the WHERE clause, `FOR UPDATE SKIP LOCKED` job claims, advisory locks).
 * Connections run in pg's pipeline mode, so a transaction's statements go out in as few
 * round trips as their answers allow (see executor.ts). Processes wake each other with
 * `LISTEN/NOTIFY`: queued jobs, changed intents, changed configuration.
 *
 * @example
 * const store = await createPgStore({ url: 'postgres://127.0.0.1/kassa' });
 */
export async function createPgStore(opts: PgStoreOptions): Promise<Store> {
  // Loaded here, not at import: a gateway on SQLite never loads the driver.
  const driver: Pg = (await import('pg')).default;
  const schema = opts.schema ?? 'public';
  const connection = {
    connectionString: opts.url,
    application_name: opts.applicationName ?? 'kassa',
    options: `-c search_path=${quoteIdent(schema)} -c statement_timeout=${opts.statementTimeoutMs ?? 5000}`,
    types: typesOf(driver),
  };
  const pool = new driver.Pool({
    ...connection,
    max: opts.poolSize ?? 10,
    idleTimeoutMillis: 10_000,
    pipeline: true,
  } as pg.PoolConfig);
  // An idle connection that breaks (the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  await migrateOnce(pool, schema);

  const cache = createConfigCache(() => listening.version());
  // One executor and its repositories per pooled connection, made once.
  const conns = new WeakMap<pg.PoolClient, { ex: PgExecutor; tx: StoreTx; read: StoreRead }>();
  const connOf = (client: pg.PoolClient) => {
    let conn = conns.get(client);
    if (!conn) {
      const ex = pgExecutor(client);
      conn = { ex, ...createRepositories(ex, pgDialect, cache) };
      conns.set(client, conn);
    }
    return conn;
  };

  const jobListeners: (() => void)[] = [];
  const changes = intentListeners();
  const listening = listen(driver, connection, {
    [JOBS_CHANNEL]: () => {
      for (const l of jobListeners) l();
    },
    [INTENTS_CHANNEL]: (payload) => {
      for (const id of payload.split(',')) if (id) changes.emit(id);
    },
    [CONFIG_CHANNEL]: () => undefined,
  });
  await listening.ready;

  const store: Store = guarded({
    kind: 'postgres',
    onJobsCommitted: (l) => {
      jobListeners.push(l);
    },
    onIntentChanged: (l) => changes.add(l),
    configVersion: () => listening.version(),
    directory: createDirectory(cache, (fn) => store.read(fn)),
    async transaction(fn) {
      const client = await pool.connect();
      const { ex, tx } = connOf(client);
      const pending = new PendingCommit();
      ex.reset();
      ex.current = pending;
      ex.writing = true;
      let broken: unknown;
      try {
        ex.send('BEGIN');
        const result = await fn(tx);
        notify(ex, pending);
        if (pending.config) listening.changed();
        await ex.run('COMMIT');
        // This process's caches need not wait for its own notification.
        if (pending.config) listening.changed();
        for (const f of pending.after) f();
        return result;
      } catch (err) {
        // Nothing sent yet: nothing began, nothing to roll back.
        if (ex.started) {
          ex.reset();
          await client.query('ROLLBACK').catch((e) => {
            broken = e;
          });
        }
        throw err;
      } finally {
        ex.reset();
        ex.current = IDLE;
        ex.writing = false;
        client.release(broken as Error | undefined);
      }
    },
    async once(fn) {
      const client = await pool.connect();
      const { ex, tx } = connOf(client);
      const pending = new PendingCommit();
      ex.reset();
      ex.current = pending;
      ex.single = true;
      try {
        const result = await fn(tx);
        // Checked before anything held is sent: with no transaction, sent is kept.
        if (pending.jobs > 0 || pending.intents.length > 0 || pending.config) {
          throw new Error('store.once() cannot wake others: use store.transaction()');
        }
        await ex.flush();
        for (const f of pending.after) f();
        return result;
      } finally {
        ex.reset();
        ex.current = IDLE;
        ex.single = false;
        client.release();
      }
    },
    async read(fn) {
      const client = await pool.connect();
      try {
        return await fn(connOf(client).read);
      } finally {
        client.release();
      }
    },
    connections: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    async close() {
      await listening.close();
      await pool.end();
    },
  });
  return store;
}

/** Said inside the transaction, so listeners hear it only if it commits. Payloads stay far
 * below PostgreSQL's 8000 bytes: 100 intent ids at most in each. */
function notify(ex: PgExecutor, pending: PendingCommit) {
  const ids = [...new Set(pending.intents)];
  const chunks: string[] = [];
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100).join(','));
  if (pending.jobs === 0 && chunks.length === 0 && !pending.config) return;
  ex.send(
    `SELECT pg_notify('${JOBS_CHANNEL}', '') WHERE ?::boolean
     UNION ALL SELECT pg_notify('${CONFIG_CHANNEL}', '') WHERE ?::boolean
     UNION ALL SELECT pg_notify('${INTENTS_CHANNEL}', c) FROM unnest(?::text[]) c`,
    [pending.jobs > 0, pending.config, chunks],
  );
}

/**
 * A connection of its own that LISTENs, and listens again after it breaks (a restart of
 * PostgreSQL, a network cut), with a growing pause. While it is down the configuration
 * version is NaN, so nothing is cached; when it is back, the version moves (what changed
 * meanwhile was not heard) and workers are woken.
 */
function listen(
  driver: Pg,
  connection: pg.ClientConfig,
  channels: Record<string, (payload: string) => void>,
) {
  let version = 0;
  let up = false;
  let closed = false;
  let client: pg.Client | null = null;
  let pause = 100;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    const c = new driver.Client(connection);
    client = c;
    const down = () => {
      if (client !== c) return;
      up = false;
      client = null;
      c.end().catch(() => undefined);
      if (!closed) {
        timer = setTimeout(() => void connect().catch(() => undefined), pause);
        pause = Math.min(MAX_RELISTEN_MS, pause * 2);
      }
    };
    c.on('error', down);
    c.on('end', down);
    c.on('notification', (n) => {
      if (n.channel === CONFIG_CHANNEL) version++;
      channels[n.channel]?.(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(
        Object.keys(channels)
          .map((ch) => `LISTEN ${ch}`)
          .join('; '),
      );
    } catch (err) {
      down();
      throw err;
    }
    up = true;
    pause = 100;
    version++;
    channels[JOBS_CHANNEL]?.('');
  };
  return {
    ready: connect().catch((err) => {
      // Never listened: the store is not made, so nothing is to listen again for.
      closed = true;
      clearTimeout(timer);
      throw err;
    }),
    version: () => (up ? version : Number.NaN),
    /** A configuration change of this process's own. */
    changed: () => {
      version++;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      up = false;
      await c?.end().catch(() => undefined);
    },
  };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Migrates under an advisory lock: processes starting together migrate once. */
async function migrateOnce(pool: pg.Pool, schema: string) {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      // drizzle-kit writes foreign keys as "public"."table": unqualified, the tables are
      // found on the connection's search_path, so one database can hold several schemas.
      const [{ readMigrationFiles }, { drizzle }] = await Promise.all([
        import('drizzle-orm/migrator'),
        import('drizzle-orm/node-postgres'),
      ]);
      const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS }).map((m) => ({
        ...m,
        sql: m.sql.map((stmt) => stmt.replaceAll('"public".', '')),
      }));
      // What drizzle's node-postgres `migrate` does, with the statements above.
      const db = drizzle(client) as unknown as {
        dialect: { migrate(m: unknown, session: unknown, c: unknown): Promise<void> };
        session: unknown;
      };
      await db.dialect.migrate(migrations, db.session, { migrationsSchema: schema });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
