import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  and,
  asc,
  type Column,
  desc,
  eq,
  getTableColumns,
  getTableName,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { guarded, intentListeners, readOnly } from '../guard.ts';
import {
  eventFilter,
  intentFilter,
  keyset,
  MAX_CLAIM_KEYS,
  notLeft,
  overviewAttemptsSql,
  overviewIntentsSql,
  ownedBy,
  STAT_TABLES,
} from '../queries.ts';
import type {
  JobRow,
  Keyset,
  OwnerFilter,
  PageWindow,
  ProcessorAccountRow,
  Store,
  StoreTx,
} from '../types.ts';
import * as s from './schema.ts';

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

type Db = NodePgDatabase<typeof s>;

/** What a pooled connection carries for the transaction running on it. */
interface TxState {
  /** Jobs queued on this connection so far (a change in a transaction wakes workers). */
  queued: number;
  /** Inside a write transaction: intents are read with their row lock. */
  writing: boolean;
  /** Intents this transaction changed, announced at its commit. */
  intents: string[];
}

/** NOTIFY channels: new jobs for the workers, and changed intents for the pages. */
const JOBS_CHANNEL = 'kassa_jobs';
const INTENTS_CHANNEL = 'kassa_intents';
/** A fixed advisory-lock id: migrations run one process at a time. */
const MIGRATION_LOCK = 727_001;
/** A fixed advisory-lock id: keyed job claims run one at a time (see claimJobs). */
const KEYED_CLAIM_LOCK = 727_002;
/** How often one connection's claims look for jobs whose worker died (their lock ran
 * out long before this matters). */
const ORPHAN_CHECK_MS = 1_000;

/** bigint (counts, ids of serials) as numbers: every value here is below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The PostgreSQL store, for several gateway and worker processes on one database: every
 * rule that SQLite's single writer used to give for free is a statement here (status
 * checks in the WHERE clause, `FOR UPDATE SKIP LOCKED` job claims, advisory locks).
 * Workers in any process are woken by `LISTEN/NOTIFY` when jobs are queued.
 *
 * @example
 * const store = await createPgStore({ url: 'postgres://127.0.0.1/kassa' });
 */
export async function createPgStore(opts: PgStoreOptions): Promise<Store> {
  const schema = opts.schema ?? 'public';
  const connection = {
    connectionString: opts.url,
    application_name: opts.applicationName ?? 'kassa',
    options: `-c search_path=${quoteIdent(schema)} -c statement_timeout=${opts.statementTimeoutMs ?? 5000}`,
    types,
  };
  const pool = new pg.Pool({ ...connection, max: opts.poolSize ?? 10, idleTimeoutMillis: 10_000 });
  // An idle connection that breaks (the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  await migrateOnce(pool, schema);

  // One tx object (and its prepared-statement shapes) per pooled connection, made once.
  const conns = new WeakMap<pg.PoolClient, { tx: StoreTx; state: TxState }>();
  const connOf = (client: pg.PoolClient) => {
    let conn = conns.get(client);
    if (!conn) {
      const state: TxState = { queued: 0, writing: false, intents: [] };
      conn = { tx: createTx(drizzle(client, { schema: s }), client, state), state };
      conns.set(client, conn);
    }
    return conn;
  };
  const txOf = (client: pg.PoolClient) => connOf(client).tx;
  const stateOf = (client: pg.PoolClient) => connOf(client).state;

  // Wakes this process's workers when any process queues jobs.
  const jobListeners: (() => void)[] = [];
  const listener = new pg.Client(connection);
  listener.on('error', () => undefined);
  const changes = intentListeners();
  listener.on('notification', (n) => {
    if (n.channel === JOBS_CHANNEL) for (const l of jobListeners) l();
    else if (n.channel === INTENTS_CHANNEL && n.payload) {
      for (const id of n.payload.split(',')) changes.emit(id);
    }
  });
  await listener.connect();
  await listener.query(`LISTEN ${JOBS_CHANNEL}; LISTEN ${INTENTS_CHANNEL}`);

  const reads = new WeakMap<pg.PoolClient, ReturnType<typeof readOnly>>();
  const readOf = (client: pg.PoolClient) => {
    let view = reads.get(client);
    if (!view) {
      view = readOnly(txOf(client));
      reads.set(client, view);
    }
    return view;
  };

  return guarded({
    kind: 'postgres',
    onJobsCommitted: (l) => {
      jobListeners.push(l);
    },
    onIntentChanged: (l) => changes.add(l),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const state = stateOf(client);
        const before = state.queued;
        state.writing = true;
        state.intents = [];
        try {
          const result = await fn(txOf(client));
          const after = state.queued;
          // Said inside the transaction: delivered to listeners only if it commits.
          const ids = [...new Set(state.intents)];
          // Payloads stay far below PostgreSQL's 8000 bytes: 100 ids at most in each.
          const chunks: string[] = [];
          for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100).join(','));
          if (after !== before || chunks.length > 0) {
            await client.query({
              name: 'kassa_notify',
              text: `SELECT pg_notify('${JOBS_CHANNEL}', '') WHERE $1
                     UNION ALL SELECT pg_notify('${INTENTS_CHANNEL}', c) FROM unnest($2::text[]) c`,
              values: [after !== before, chunks],
            });
          }
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch((e) => {
            broken = e;
          });
          throw err;
        } finally {
          state.writing = false;
        }
      } finally {
        client.release(broken as Error | undefined);
      }
    },
    async read(fn) {
      const client = await pool.connect();
      try {
        return await fn(readOf(client));
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
      await listener.end().catch(() => undefined);
      await pool.end();
    },
  });
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

/** Plain inserts and updates, their SQL built once per table and set of columns. */
function writer(client: pg.PoolClient) {
  const shapes = new Map<string, { name: string; text: string; cols: Column[] }>();
  const columns = new Map<PgTable, Record<string, Column>>();
  const columnsOf = (table: PgTable) => {
    let cols = columns.get(table);
    if (!cols) {
      cols = getTableColumns(table) as Record<string, Column>;
      columns.set(table, cols);
    }
    return cols;
  };
  const encode = (col: Column, v: unknown) =>
    v === null || v === undefined ? null : col.mapToDriverValue(v);
  const shape = (id: string, table: PgTable, keys: string[], build: (cols: Column[]) => string) => {
    let sh = shapes.get(id);
    if (!sh) {
      const all = columnsOf(table);
      const cols = keys.map((k) => {
        const col = all[k];
        if (!col) throw new Error(`${getTableName(table)} has no column ${k}`);
        return col;
      });
      // Named: PostgreSQL parses and plans it once per connection.
      sh = { name: `kassa_w${shapes.size}_${id.length}`, text: build(cols), cols };
      shapes.set(id, sh);
    }
    return sh;
  };
  const q = (n: string) => `"${n}"`;
  const defined = (row: Record<string, unknown>) =>
    Object.keys(row).filter((k) => row[k] !== undefined);
  return {
    async insert(table: PgTable, row: object, opts: { ignoreConflict?: boolean } = {}) {
      const r = row as Record<string, unknown>;
      const keys = defined(r);
      const sh = shape(
        `i${opts.ignoreConflict ? '!' : ''}:${getTableName(table)}:${keys.join(',')}`,
        table,
        keys,
        (cols) =>
          `INSERT INTO ${q(getTableName(table))} (${cols.map((c) => q(c.name)).join(', ')}) VALUES (${cols
            .map((_, i) => `$${i + 1}`)
            .join(', ')})${opts.ignoreConflict ? ' ON CONFLICT DO NOTHING' : ''}`,
      );
      const res = await client.query({
        name: sh.name,
        text: sh.text,
        values: keys.map((k, i) => encode(sh.cols[i] as Column, r[k])),
      });
      return res.rowCount ?? 0;
    },
    async update(table: PgTable, patch: object, where: Record<string, unknown>) {
      const p = patch as Record<string, unknown>;
      const keys = defined(p);
      if (keys.length === 0) return 0;
      const whereKeys = Object.keys(where);
      const sh = shape(
        `u:${getTableName(table)}:${keys.join(',')}|${whereKeys.join(',')}`,
        table,
        [...keys, ...whereKeys],
        (cols) => {
          const set = cols
            .slice(0, keys.length)
            .map((c, i) => `${q(c.name)} = $${i + 1}`)
            .join(', ');
          const cond = cols
            .slice(keys.length)
            .map((c, i) => `${q(c.name)} = $${keys.length + i + 1}`)
            .join(' AND ');
          return `UPDATE ${q(getTableName(table))} SET ${set} WHERE ${cond}`;
        },
      );
      const values = [...keys.map((k) => p[k]), ...whereKeys.map((k) => where[k])].map((v, i) =>
        encode(sh.cols[i] as Column, v),
      );
      const res = await client.query({ name: sh.name, text: sh.text, values });
      return res.rowCount ?? 0;
    },
  };
}

/**
 * The lookups every request makes, as named statements (parsed and planned once per
 * connection, where drizzle's builder sends each query unnamed, to be parsed and planned
 * on every call), their rows mapped back with the schema's own column decoders.
 */
function reader(client: pg.PoolClient) {
  const shapes = new Map<
    string,
    { name: string; text: string; cols: [string, Column][]; where: Column[] }
  >();
  return async function select<T extends PgTable>(
    table: T,
    where: Partial<Record<keyof T['$inferSelect'] & string, unknown>>,
    tail = '',
  ): Promise<T['$inferSelect'][]> {
    const keys = Object.keys(where);
    const id = `${getTableName(table)}:${keys.join(',')}:${tail}`;
    let sh = shapes.get(id);
    if (!sh) {
      const all = getTableColumns(table) as Record<string, Column>;
      const whereCols = keys.map((k) => all[k] as Column);
      const cond = whereCols.map((c, i) => `"${c.name}" = $${i + 1}`).join(' AND ');
      sh = {
        name: `kassa_r${shapes.size}`,
        text: `SELECT * FROM "${getTableName(table)}" WHERE ${cond} ${tail}`,
        cols: Object.entries(all),
        where: whereCols,
      };
      shapes.set(id, sh);
    }
    const shape = sh;
    const res = await client.query({
      name: shape.name,
      text: shape.text,
      values: keys.map((k, i) => {
        const v = (where as Record<string, unknown>)[k];
        return v === null || v === undefined
          ? null
          : (shape.where[i] as Column).mapToDriverValue(v);
      }),
    });
    return res.rows.map((raw: Record<string, unknown>) => {
      const row: Record<string, unknown> = {};
      for (const [key, col] of shape.cols) {
        const v = raw[col.name];
        row[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
      }
      return row as T['$inferSelect'];
    });
  };
}

/** A raw `jobs` row as PostgreSQL returns it. */
interface RawJob {
  id: string;
  kind: string;
  merchant_id: string | null;
  concurrency_key: string | null;
  payload: Record<string, unknown>;
  status: JobRow['status'];
  run_at: number;
  attempts: number;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const jobFromRaw = (r: RawJob): JobRow => ({
  id: r.id,
  kind: r.kind,
  merchantId: r.merchant_id,
  concurrencyKey: r.concurrency_key,
  payload: r.payload,
  status: r.status,
  runAt: Number(r.run_at),
  attempts: r.attempts,
  lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
  lastError: r.last_error,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

type Listed =
  | typeof s.paymentIntents
  | typeof s.webhookEndpoints
  | typeof s.reconciliationRuns
  | typeof s.refunds;

async function pageOf<T extends Listed>(
  db: Db,
  table: T,
  where: SQL | undefined,
  w: PageWindow<Keyset>,
): Promise<T['$inferSelect'][]> {
  const k = keyset(table.createdAt, table.id, w);
  const rows = (await db
    .select()
    .from(table as Listed)
    .where(and(where, k.where))
    .orderBy(...k.order)
    .limit(w.limit)) as T['$inferSelect'][];
  return k.flip(rows);
}

const first = <T>(rows: T[]): T | null => rows[0] ?? null;

/** A by-id look-up's WHERE, with the owner's merchant and mode when given. */
const scoped = (id: string, owner: OwnerFilter | undefined) =>
  owner ? { id, merchantId: owner.merchantId, livemode: owner.livemode } : { id };

function createTx(db: Db, client: pg.PoolClient, state: TxState): StoreTx {
  const w = writer(client);
  const select = reader(client);
  const one = async <T extends PgTable>(
    table: T,
    where: Partial<Record<keyof T['$inferSelect'] & string, unknown>>,
    tail = '',
  ) => first(await select(table, where, tail));
  let claimCursor = '';
  let orphansCheckedAt = 0;
  const byId = <T extends PgTable & { id: PgColumn }>(table: T, id: string) =>
    one(table, { id } as never) as Promise<T['$inferSelect'] | null>;

  return {
    getSetting: async (key) => (await one(s.settings, { key }))?.value ?? null,
    setSetting: async (key, value) => {
      await db
        .insert(s.settings)
        .values({ key, value })
        .onConflictDoUpdate({ target: s.settings.key, set: { value } });
    },
    claimSetting: async (key, value) =>
      (await w.insert(s.settings, { key, value }, { ignoreConflict: true })) === 1,

    insertMerchant: async (row) => void (await w.insert(s.merchants, row)),
    updateMerchant: async (id, patch) => void (await w.update(s.merchants, patch, { id })),
    getMerchant: (id) => byId(s.merchants, id),
    getDashboardUser: (id) => byId(s.dashboardUsers, id),
    findDashboardUserByEmail: (email) => one(s.dashboardUsers, { email }),
    getDashboardSession: (id) => byId(s.dashboardSessions, id),
    insertDashboardUser: async (row) =>
      (await w.insert(s.dashboardUsers, row, { ignoreConflict: true })) === 1,
    changeDashboardPassword: async (id, fromHash, toHash) =>
      (await w.update(
        s.dashboardUsers,
        { passwordHash: toHash, mustChangePassword: false },
        { id, passwordHash: fromHash },
      )) === 1,
    insertDashboardSession: async (row) => void (await w.insert(s.dashboardSessions, row)),
    touchDashboardSession: async (id, now, idleSince) => {
      const t = s.dashboardSessions;
      const res = await db
        .update(t)
        .set({ lastSeenAt: now })
        .where(and(eq(t.id, id), gte(t.lastSeenAt, idleSince), gt(t.expiresAt, now)))
        .returning({ id: t.id });
      return res.length === 1;
    },
    deleteDashboardSessions: async (which) => {
      const t = s.dashboardSessions;
      const res = await db
        .delete(t)
        .where(
          'id' in which
            ? eq(t.id, which.id)
            : 'userId' in which
              ? eq(t.userId, which.userId)
              : or(lte(t.expiresAt, which.now), lt(t.lastSeenAt, which.idleSince)),
        )
        .returning({ id: t.id });
      return res.length;
    },
    insertApiKey: async (row) => void (await w.insert(s.apiKeys, row)),
    listApiKeys: (merchantId, livemode) =>
      db
        .select()
        .from(s.apiKeys)
        .where(and(eq(s.apiKeys.merchantId, merchantId), eq(s.apiKeys.livemode, livemode)))
        .orderBy(desc(s.apiKeys.createdAt), desc(s.apiKeys.id)),
    revokeApiKey: async (id, at) =>
      (
        await db
          .update(s.apiKeys)
          .set({ revokedAt: at })
          .where(and(eq(s.apiKeys.id, id), isNull(s.apiKeys.revokedAt)))
          .returning({ id: s.apiKeys.id })
      ).length === 1,
    expireApiKey: async (id, at) =>
      (
        await db
          .update(s.apiKeys)
          .set({ revokedAt: at })
          .where(
            and(eq(s.apiKeys.id, id), or(isNull(s.apiKeys.revokedAt), gt(s.apiKeys.revokedAt, at))),
          )
          .returning({ id: s.apiKeys.id })
      ).length === 1,
    findKeyBySecretHash: (hash) => one(s.apiKeys, { secretHash: hash }),
    findKeyByPublishable: (key) => one(s.apiKeys, { publishableKey: key }),
    findActiveSecretKey: (merchantId, livemode) =>
      one(
        s.apiKeys,
        { merchantId, livemode },
        `AND kind = 'secret' AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      ),
    saveProcessorAccount: async (row) => {
      const t = s.processorAccounts;
      const [saved] = await db
        .insert(t)
        .values(row)
        .onConflictDoUpdate({
          target: [t.merchantId, t.processor, t.livemode],
          set: { sealed: row.sealed, hints: row.hints, updatedAt: row.updatedAt },
        })
        .returning();
      return saved as ProcessorAccountRow;
    },
    getProcessorAccount: (id) => byId(s.processorAccounts, id),
    listProcessorAccounts: async (merchantId) =>
      merchantId
        ? select(s.processorAccounts, { merchantId }, 'ORDER BY created_at')
        : db.select().from(s.processorAccounts).orderBy(s.processorAccounts.createdAt),

    insertIntent: async (row) =>
      (await w.insert(s.paymentIntents, row, { ignoreConflict: true })) === 1,
    // In a write transaction an intent is read with its row lock, held to the commit:
    // what a transaction decides from an intent's state (the webhook and the browser
    // completing one payment at once) is decided on that state, one after the other, as
    // SQLite's single writer orders them. The status-checked update stays as the net.
    getIntent: (id, owner) =>
      one(s.paymentIntents, scoped(id, owner), state.writing ? 'FOR UPDATE' : ''),
    findLiveIntentByOrder: (merchantId, livemode, orderId) =>
      one(
        s.paymentIntents,
        { merchantId, livemode, orderId },
        `AND status NOT IN ('failed', 'canceled', 'expired')`,
      ),
    updateIntent: async (id, from, patch) => {
      const moved = (await w.update(s.paymentIntents, patch, { id, status: from })) === 1;
      if (moved) state.intents.push(id);
      return moved;
    },
    claimIntentOperation: async (id, operation, status, now) => {
      const t = s.paymentIntents;
      const res = await db
        .update(t)
        .set({ operation, updatedAt: now })
        .where(
          and(
            eq(t.id, id),
            eq(t.status, status),
            or(isNull(t.operation), eq(t.operation, operation)),
          ),
        )
        .returning({ id: t.id });
      return res.length === 1;
    },
    releaseIntentOperation: async (id, operation) =>
      void (await w.update(s.paymentIntents, { operation: null }, { id, operation })),
    reserveRefund: async (intentId, amount, now) => {
      const t = s.paymentIntents;
      return first(
        await db
          .update(t)
          .set({ amountRefunded: sql`${t.amountRefunded} + ${amount}`, updatedAt: now })
          .where(
            and(
              eq(t.id, intentId),
              eq(t.status, 'succeeded'),
              sql`${t.amountReceived} - ${t.amountRefunded} >= ${amount}`,
            ),
          )
          .returning(),
      );
    },
    returnRefund: async (intentId, amount, now) => {
      const t = s.paymentIntents;
      await db
        .update(t)
        .set({ amountRefunded: sql`greatest(0, ${t.amountRefunded} - ${amount})`, updatedAt: now })
        .where(eq(t.id, intentId));
    },
    listIntents: (f) =>
      pageOf(db, s.paymentIntents, intentFilter(s.paymentIntents, s.paymentAttempts, f), f),
    listStaleAuthorizations: (before, limit) => {
      const t = s.paymentIntents;
      return db
        .select()
        .from(t)
        .where(
          and(sql`${t.status} = 'requires_capture'`, lte(t.updatedAt, before), isNull(t.operation)),
        )
        .orderBy(asc(t.updatedAt))
        .limit(limit);
    },
    listExpiredOpenIntents: (now, limit) => {
      const t = s.paymentIntents;
      return db
        .select()
        .from(t)
        .where(
          and(
            sql`${t.status} in ('requires_payment_method', 'requires_action')`,
            lte(t.expiresAt, now),
          ),
        )
        .orderBy(asc(t.expiresAt))
        .limit(limit);
    },

    insertAttempt: async (row) => void (await w.insert(s.paymentAttempts, row)),
    countFailedAttempts: async (intentId, clientKey) => {
      const t = s.paymentAttempts;
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(t)
        .where(
          and(
            eq(t.intentId, intentId),
            eq(t.clientKey, clientKey),
            eq(t.status, 'failed'),
            notLeft(t),
          ),
        );
      return row?.n ?? 0;
    },
    getAttempt: (id) => byId(s.paymentAttempts, id),
    findAttemptByReference: (processor, reference) =>
      one(s.paymentAttempts, { processor, processorReference: reference }),
    updateAttempt: async (id, patch) => void (await w.update(s.paymentAttempts, patch, { id })),
    listAttemptsBetween: (processor, from, to) => {
      const t = s.paymentAttempts;
      return db
        .select()
        .from(t)
        .where(and(eq(t.processor, processor), gte(t.createdAt, from), lt(t.createdAt, to)));
    },

    insertEvent: async (row) => void (await w.insert(s.events, row)),
    listEventsForObject: async (objectId) =>
      (
        await db
          .select()
          .from(s.events)
          .where(eq(s.events.objectId, objectId))
          .orderBy(asc(s.events.seq))
      ).map(({ seq: _seq, ...row }) => row),
    getEvent: (id, owner) => one(s.events, scoped(id, owner)),
    listEvents: async (f) => {
      const order = f.before !== undefined ? asc(s.events.seq) : desc(s.events.seq);
      const rows = await db
        .select()
        .from(s.events)
        .where(eventFilter(s.events, f))
        .orderBy(order)
        .limit(f.limit);
      return f.before !== undefined ? rows.reverse() : rows;
    },

    insertEndpoint: async (row) => void (await w.insert(s.webhookEndpoints, row)),
    getEndpoint: (id, owner) =>
      one(s.webhookEndpoints, scoped(id, owner), 'AND deleted_at IS NULL'),
    listEndpoints: (merchantId, livemode) =>
      select(
        s.webhookEndpoints,
        { merchantId, livemode },
        'AND deleted_at IS NULL ORDER BY created_at, id',
      ),
    pageEndpoints: (f) =>
      pageOf(
        db,
        s.webhookEndpoints,
        and(ownedBy(s.webhookEndpoints, f), isNull(s.webhookEndpoints.deletedAt)),
        f,
      ),
    updateEndpoint: async (id, patch) => void (await w.update(s.webhookEndpoints, patch, { id })),

    insertDelivery: async (row) => void (await w.insert(s.webhookDeliveries, row)),
    getDelivery: (id) => byId(s.webhookDeliveries, id),
    updateDelivery: async (id, patch, from) =>
      (await w.update(s.webhookDeliveries, patch, from ? { id, status: from } : { id })) === 1,
    listDeliveries: async (f) => {
      const t = s.webhookDeliveries;
      const k = keyset(t.createdAt, t.id, f);
      const rows = await db
        .select({ delivery: t, eventType: s.events.type })
        .from(t)
        .innerJoin(s.events, eq(s.events.id, t.eventId))
        .where(
          and(
            eq(t.endpointId, f.endpointId),
            f.status ? eq(t.status, f.status) : undefined,
            f.createdGte === undefined ? undefined : gte(t.createdAt, f.createdGte),
            f.createdLte === undefined ? undefined : lte(t.createdAt, f.createdLte),
            k.where,
          ),
        )
        .orderBy(...k.order)
        .limit(f.limit);
      return k.flip(rows.map((r) => ({ ...r.delivery, eventType: r.eventType })));
    },
    insertWebhookAttempt: async (row) => void (await w.insert(s.webhookAttempts, row)),
    overview: async (f) => {
      // One after another: one client runs one query at a time (pg queues the rest, and
      // warns that it will stop doing so).
      const intents = await db.execute(overviewIntentsSql(f, f.livemode));
      const attempts = await db.execute(overviewAttemptsSql(f, f.livemode));
      const webhooks = await client.query({
        name: 'kassa_overview_webhooks',
        text: `SELECT w.latency_ms AS "latencyMs", w.response_status AS status
                 FROM webhook_endpoints e
                 JOIN webhook_deliveries d ON d.endpoint_id = e.id
                 JOIN webhook_attempts w ON w.delivery_id = d.id
                 WHERE e.merchant_id = $1 AND e.livemode = $2
                   AND d.created_at >= $3 AND d.created_at <= $4
                 ORDER BY d.created_at DESC LIMIT $5`,
        values: [f.merchantId, f.livemode, f.from, f.to, f.maxWebhookAttempts],
      });
      const num = (v: unknown) => Number(v);
      return {
        intents: intents.rows.map((r) => ({
          bucket: num(r.bucket),
          currency: String(r.currency),
          count: num(r.count),
          succeeded: num(r.succeeded),
          volume: num(r.volume),
        })),
        attempts: attempts.rows.map((r) => ({
          status: String(r.status),
          method: String(r.method),
          declineCode: r.declineCode ? String(r.declineCode) : null,
          count: num(r.count),
        })),
        webhooks: webhooks.rows.map((r) => ({ latencyMs: num(r.latencyMs), status: r.status })),
      };
    },
    foldStats: async (limit) => {
      let most = 0;
      for (const [changes, hourly, keys, sums] of STAT_TABLES) {
        const keyCols = sql.raw(keys.join(', '));
        // SKIP LOCKED: two folds at once take different changes; each change is folded
        // once, in the transaction that deletes it. Rows upserted in key order.
        const r = await db.execute(sql`WITH moved AS (
            DELETE FROM ${sql.identifier(changes)} WHERE id IN (
              SELECT id FROM ${sql.identifier(changes)} ORDER BY id LIMIT ${limit}
              FOR UPDATE SKIP LOCKED)
            RETURNING *
          ), folded AS (
            INSERT INTO ${sql.identifier(hourly)} AS h (${sql.raw([...keys, ...sums].join(', '))})
            SELECT ${keyCols}, ${sql.raw(sums.map((c) => `sum(${c})`).join(', '))}
            FROM moved GROUP BY ${keyCols} ORDER BY ${keyCols}
            ON CONFLICT (${keyCols}) DO UPDATE SET ${sql.raw(
              sums.map((c) => `${c} = h.${c} + excluded.${c}`).join(', '),
            )}
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM moved) AS n`);
        most = Math.max(most, Number(r.rows[0]?.n ?? 0));
      }
      return most;
    },
    listAttemptsOfIntent: (intentId) =>
      db
        .select()
        .from(s.paymentAttempts)
        .where(eq(s.paymentAttempts.intentId, intentId))
        .orderBy(asc(s.paymentAttempts.createdAt), asc(s.paymentAttempts.id)),
    listDeliveriesOfEvents: async (eventIds) =>
      eventIds.length === 0
        ? []
        : db
            .select()
            .from(s.webhookDeliveries)
            .where(inArray(s.webhookDeliveries.eventId, eventIds))
            .orderBy(asc(s.webhookDeliveries.createdAt), asc(s.webhookDeliveries.id)),
    listWebhookAttempts: async (deliveryIds) =>
      deliveryIds.length === 0
        ? []
        : (
            await db
              .select()
              .from(s.webhookAttempts)
              .where(inArray(s.webhookAttempts.deliveryId, deliveryIds))
              .orderBy(asc(s.webhookAttempts.id))
          ).map(({ id: _id, ...row }) => row),
    insertProcessorNotification: async (row) =>
      (await w.insert(s.processorNotifications, row, { ignoreConflict: true })) === 1,

    insertReconciliationRun: async (row) => void (await w.insert(s.reconciliationRuns, row)),
    getReconciliationRun: (id, owner) => one(s.reconciliationRuns, scoped(id, owner)),
    listReconciliationRuns: (f) =>
      pageOf(db, s.reconciliationRuns, and(ownedBy(s.reconciliationRuns, f)), f),
    findReconciliationRun: async (date, merchantId) => {
      const t = s.reconciliationRuns;
      return first(
        await db
          .select()
          .from(t)
          .where(
            and(
              eq(t.date, date),
              merchantId === null ? isNull(t.merchantId) : eq(t.merchantId, merchantId),
            ),
          )
          .orderBy(desc(t.createdAt))
          .limit(1),
      );
    },

    insertRefund: async (row) => void (await w.insert(s.refunds, row)),
    getRefund: (id, owner) => one(s.refunds, scoped(id, owner)),
    updateRefund: async (id, from, patch) =>
      (await w.update(s.refunds, patch, { id, status: from })) === 1,
    listRefunds: (f) =>
      pageOf(
        db,
        s.refunds,
        and(ownedBy(s.refunds, f), f.intentId ? eq(s.refunds.intentId, f.intentId) : undefined),
        f,
      ),
    findRefundByReference: async (reference) =>
      first(await db.select().from(s.refunds).where(eq(s.refunds.processorReference, reference))),

    jobStats: async (merchantId) => {
      const res = await client.query(
        `SELECT kind, status, sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END)::int AS retrying,
                count(*)::int AS count, min(run_at) AS oldest
           FROM jobs WHERE $1::text IS NULL OR merchant_id = $1 GROUP BY kind, status`,
        [merchantId],
      );
      return res.rows;
    },

    getIdempotency: (merchantId, key) => one(s.idempotencyKeys, { merchantId, key }),
    claimIdempotency: async (row) =>
      (await w.insert(s.idempotencyKeys, row, { ignoreConflict: true })) === 1,
    bindIdempotency: async (merchantId, key, token, objectId) => {
      const t = s.idempotencyKeys;
      const res = await db
        .update(t)
        .set({ objectId })
        .where(
          and(
            eq(t.merchantId, merchantId),
            eq(t.key, key),
            eq(t.token, token),
            eq(t.status, 'running'),
            or(isNull(t.objectId), eq(t.objectId, objectId)),
          ),
        )
        .returning({ key: t.key });
      return res.length === 1;
    },
    updateIdempotencyHeld: async (merchantId, key, token, patch) =>
      (await w.update(s.idempotencyKeys, patch, { merchantId, key, token })) === 1,
    deleteIdempotencyHeld: async (merchantId, key, token) => {
      const t = s.idempotencyKeys;
      await db
        .delete(t)
        .where(and(eq(t.merchantId, merchantId), eq(t.key, key), eq(t.token, token)));
    },
    purgeIdempotency: async (now) => {
      const res = await client.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now]);
      return res.rowCount ?? 0;
    },

    hitRateLimit: async (key, windowStart) => {
      const res = await client.query<{ count: number }>({
        name: 'kassa_rate_limit_hit',
        text: `INSERT INTO rate_limits AS r (key, window_start, count) VALUES ($1, $2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                   count = CASE WHEN r.window_start = excluded.window_start THEN r.count + 1 ELSE 1 END,
                   window_start = excluded.window_start
                 RETURNING count`,
        values: [key, windowStart],
      });
      return res.rows[0]?.count ?? 1;
    },
    purgeRateLimits: async (before) => {
      const res = await client.query('DELETE FROM rate_limits WHERE window_start < $1', [before]);
      return res.rowCount ?? 0;
    },

    enqueueJob: async (row) => {
      await w.insert(s.jobs, row);
      state.queued++;
    },
    claimJobs: async (now, limit, lockUntil, bounds) => {
      const claimed: RawJob[] = [];
      const set = `status = 'running', locked_until = $1, updated_at = $2`;
      // Unkeyed jobs need no bound: each worker skips the rows another is claiming.
      const unkeyed = await client.query<RawJob>({
        name: 'kassa_claim_unkeyed',
        text: `UPDATE jobs SET ${set} WHERE id IN (
                 SELECT id FROM jobs WHERE status = 'queued' AND concurrency_key IS NULL AND run_at <= $2
                 ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED)
               RETURNING *`,
        values: [lockUntil, now, limit],
      });
      claimed.push(...unkeyed.rows);
      const keyedRoom = Math.min(limit - claimed.length, bounds.keyedRoom ?? Infinity);
      if (keyedRoom > 0) {
        // Keyed claims take turns (a transaction-scoped lock, held to the commit), so the
        // running counts read here cannot be read by two claims at once: the bounds hold
        // over every worker. One round trip: the lock, then the keys with queued jobs
        // from the cursor on (a loose index scan, wrapping round once) and what runs now
        // for each key and its group.
        const lit = (v: string) => client.escapeLiteral(v);
        const scan = (from: string, upTo: string | null) => `(WITH RECURSIVE keys AS (
            (SELECT concurrency_key AS k FROM jobs WHERE status = 'queued' AND concurrency_key > ${lit(from)}
               ORDER BY concurrency_key LIMIT 1)
            UNION ALL
            SELECT (SELECT concurrency_key FROM jobs WHERE status = 'queued' AND concurrency_key > keys.k
                      ORDER BY concurrency_key LIMIT 1) FROM keys WHERE keys.k IS NOT NULL)
          SELECT k FROM keys WHERE k IS NOT NULL${upTo === null ? '' : ` AND k <= ${lit(upTo)}`} LIMIT ${MAX_CLAIM_KEYS})`;
        const results = (await client.query(
          `SELECT pg_advisory_xact_lock(${KEYED_CLAIM_LOCK});
           WITH found AS (SELECT k, 0 AS pass FROM ${scan(claimCursor, null)} s
                          UNION ALL SELECT k, 1 FROM ${claimCursor === '' ? '(SELECT NULL::text AS k WHERE false)' : scan('', claimCursor)} w),
                picked AS (SELECT DISTINCT ON (k) k, pass FROM found ORDER BY k, pass)
           SELECT p.k, p.pass,
             (SELECT count(*)::int FROM jobs j WHERE j.status = 'running' AND j.concurrency_key = p.k
                AND j.locked_until > ${Number(now)}) AS key_running,
             (SELECT count(*)::int FROM jobs j WHERE j.status = 'running'
                AND split_part(j.concurrency_key, '/', 1) = split_part(p.k, '/', 1)
                AND j.locked_until > ${Number(now)}) AS group_running
             FROM picked p ORDER BY p.pass, p.k LIMIT ${MAX_CLAIM_KEYS}`,
        )) as unknown as pg.QueryResult[];
        const rows = (results[1]?.rows ?? []) as {
          k: string;
          key_running: number;
          group_running: number;
        }[];
        if (rows.length > 0) {
          claimCursor = (rows[rows.length - 1] as { k: string }).k;
          const groupOf = (k: string) => k.split('/')[0] as string;
          const perGroup = new Map<string, number>();
          for (const r of rows) perGroup.set(groupOf(r.k), r.group_running);
          const wanted: string[] = [];
          const rooms: number[] = [];
          let left = keyedRoom;
          for (const r of rows) {
            if (left <= 0) break;
            const g = groupOf(r.k);
            const room = Math.min(
              bounds.perKey - r.key_running,
              (bounds.perGroup ?? Infinity) - (perGroup.get(g) ?? 0),
              left,
            );
            if (room <= 0) continue;
            wanted.push(r.k);
            rooms.push(room);
            left -= room;
            perGroup.set(g, (perGroup.get(g) ?? 0) + room);
          }
          if (wanted.length > 0) {
            const keyed = await client.query<RawJob>({
              name: 'kassa_claim_keyed',
              text: `UPDATE jobs SET ${set} WHERE id IN (
                       SELECT j.id FROM unnest($3::text[], $4::int[]) AS r(k, room)
                       CROSS JOIN LATERAL (
                         SELECT id FROM jobs
                          WHERE status = 'queued' AND concurrency_key = r.k AND run_at <= $2
                          ORDER BY run_at LIMIT r.room FOR UPDATE SKIP LOCKED) j)
                     RETURNING *`,
              values: [lockUntil, now, wanted, rooms],
            });
            claimed.push(...keyed.rows);
          }
        }
      }
      // Jobs of a worker that died: their lock ran out while they were running.
      if (claimed.length < limit && now - orphansCheckedAt >= ORPHAN_CHECK_MS) {
        orphansCheckedAt = now;
        const orphans = await client.query<RawJob>({
          name: 'kassa_claim_orphans',
          text: `UPDATE jobs SET ${set} WHERE id IN (
                   SELECT id FROM jobs WHERE status = 'running' AND locked_until <= $2
                   LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING *`,
          values: [lockUntil, now, limit - claimed.length],
        });
        claimed.push(...orphans.rows);
      }
      return claimed.map(jobFromRaw).sort((a, b) => a.runAt - b.runAt);
    },
    claimNextForKey: async (key, now, lockUntil) => {
      const next = await client.query<RawJob>({
        name: 'kassa_claim_next_for_key',
        text: `UPDATE jobs SET status = 'running', locked_until = $1, updated_at = $2 WHERE id = (
                 SELECT id FROM jobs WHERE status = 'queued' AND concurrency_key = $3 AND run_at <= $2
                 ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING *`,
        values: [lockUntil, now, key],
      });
      const row = next.rows[0];
      return row ? jobFromRaw(row) : null;
    },
    deleteJob: async (id) => {
      await client.query({
        name: 'kassa_delete_job',
        text: 'DELETE FROM jobs WHERE id = $1',
        values: [id],
      });
    },
    updateJob: async (id, patch) => void (await w.update(s.jobs, patch, { id })),
  };
}
