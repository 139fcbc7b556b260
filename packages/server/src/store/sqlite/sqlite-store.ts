import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  not,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { groupOf } from '../../worker/enqueue.ts';
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
  OverviewRows,
  PageWindow,
  ProcessorAccountRow,
  Store,
  StoreTx,
} from '../types.ts';
import { createCommitQueue } from './commit-queue.ts';
import * as s from './schema.ts';
import { createWriteStatements } from './statements.ts';

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

type Db = BetterSQLite3Database<typeof s>;

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
  const db: Db = drizzle(sqlite, { schema: s });
  migrate(db, { migrationsFolder: MIGRATIONS });
  const checkpointer =
    opts.filename !== ':memory:' && opts.backgroundCheckpoints !== false
      ? startCheckpointer(sqlite, opts.filename)
      : null;

  const jobListeners: (() => void)[] = [];
  const changes = intentListeners();
  const queued = { count: 0, intents: null as string[] | null };
  const tx = createTx(db, sqlite, queued);
  const queue = createCommitQueue(sqlite, {
    maxGroup: MAX_COMMIT_GROUP,
    onCommit: () => {
      if (queued.count === 0) return;
      queued.count = 0;
      for (const l of jobListeners) l();
    },
  });

  const readTx = readOnly(tx);
  return guarded({
    kind: 'sqlite',
    transaction: async (fn) => {
      // Transactions run one at a time on the connection: the list is this one's.
      const changed: string[] = [];
      const result = await queue.write(async () => {
        const before = queued.count;
        queued.intents = changed;
        try {
          return await fn(tx);
        } catch (err) {
          // Rolled back: its jobs were never queued, so nobody is woken for them.
          queued.count = before;
          changed.length = 0;
          throw err;
        } finally {
          queued.intents = null;
        }
      });
      // Committed: tell the streams following these intents.
      for (const id of new Set(changed)) changes.emit(id);
      return result;
    },
    onIntentChanged: (listener) => changes.add(listener),
    onJobsCommitted: (listener) => {
      jobListeners.push(listener);
    },
    read: (fn) => queue.read(() => fn(readTx)),
    close: async () => {
      await checkpointer?.stop();
      await queue.read(async () => sqlite.close());
    },
  });
}

interface RawJob {
  id: string;
  kind: string;
  merchant_id: string | null;
  concurrency_key: string | null;
  payload: string;
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
  payload: JSON.parse(r.payload),
  status: r.status,
  runAt: r.run_at,
  attempts: r.attempts,
  lockedUntil: r.locked_until,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The worker's queue statements, in plain SQL: they run for every job. Literal statuses,
 * so that SQLite uses the partial and status-led indexes. */
function jobStatements(sqlite: Database.Database) {
  return {
    dueUnkeyed: sqlite.prepare(
      `SELECT id, run_at FROM jobs WHERE status = 'queued' AND concurrency_key IS NULL AND run_at <= ? ORDER BY run_at LIMIT ?`,
    ),
    nextKey: sqlite.prepare(
      `SELECT concurrency_key AS key FROM jobs WHERE status = 'queued' AND concurrency_key > ? ORDER BY concurrency_key LIMIT 1`,
    ),
    dueForKey: sqlite.prepare(
      `SELECT id, run_at FROM jobs WHERE status = 'queued' AND concurrency_key = ? AND run_at <= ? ORDER BY run_at LIMIT ?`,
    ),
    runningForKey: sqlite.prepare(
      `SELECT count(*) AS n FROM jobs WHERE status = 'running' AND concurrency_key = ? AND locked_until > ?`,
    ),
    // Keys are `group/key`: '/' + 1 is '0', so a group's keys sort in [group/, group0).
    runningForGroup: sqlite.prepare(
      `SELECT count(*) AS n FROM jobs WHERE status = 'running' AND concurrency_key >= ? AND concurrency_key < ? AND locked_until > ?`,
    ),
    orphans: sqlite.prepare(
      `SELECT id FROM jobs WHERE status = 'running' AND locked_until <= ? LIMIT ?`,
    ),
    claim: sqlite.prepare(
      `UPDATE jobs SET status = 'running', locked_until = ?, updated_at = ? WHERE id = ? RETURNING *`,
    ),
  };
}

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

/** Tables listed newest first by (created_at, id). */
type Listed =
  | typeof s.paymentIntents
  | typeof s.webhookEndpoints
  | typeof s.reconciliationRuns
  | typeof s.refunds;

/** One window of a newest-first list of `table`'s rows matching `where`. */
function pageOf<T extends Listed>(
  db: Db,
  table: T,
  where: SQL | undefined,
  w: PageWindow<Keyset>,
): T['$inferSelect'][] {
  const k = keyset(table.createdAt, table.id, w);
  return k.flip(
    db
      .select()
      .from(table as Listed)
      .where(and(where, k.where))
      .orderBy(...k.order)
      .limit(w.limit)
      .all() as T['$inferSelect'][],
  );
}

/** The lookups on every request, built and prepared once rather than per call. */
function preparedQueries(db: Db) {
  const p = <T extends string>(name: T) => sql.placeholder(name);
  return {
    setting: db
      .select()
      .from(s.settings)
      .where(eq(s.settings.key, p('key')))
      .prepare(),
    merchant: db
      .select()
      .from(s.merchants)
      .where(eq(s.merchants.id, p('id')))
      .prepare(),
    keyBySecret: db
      .select()
      .from(s.apiKeys)
      .where(eq(s.apiKeys.secretHash, p('hash')))
      .prepare(),
    keyByPublishable: db
      .select()
      .from(s.apiKeys)
      .where(eq(s.apiKeys.publishableKey, p('key')))
      .prepare(),
    attemptByReference: db
      .select()
      .from(s.paymentAttempts)
      .where(
        and(
          eq(s.paymentAttempts.processor, p('processor')),
          eq(s.paymentAttempts.processorReference, p('reference')),
        ),
      )
      .prepare(),
    // The key that signs a payment's onSuccess: looked up on every confirm.
    activeSecretKey: db
      .select()
      .from(s.apiKeys)
      .where(
        and(
          eq(s.apiKeys.merchantId, p('merchantId')),
          eq(s.apiKeys.livemode, p('livemode')),
          eq(s.apiKeys.kind, 'secret'),
          isNull(s.apiKeys.revokedAt),
        ),
      )
      .orderBy(desc(s.apiKeys.createdAt))
      .prepare(),
    intent: db
      .select()
      .from(s.paymentIntents)
      .where(eq(s.paymentIntents.id, p('id')))
      .prepare(),
    ownIntent: db
      .select()
      .from(s.paymentIntents)
      .where(
        and(
          eq(s.paymentIntents.id, p('id')),
          eq(s.paymentIntents.merchantId, p('merchantId')),
          eq(s.paymentIntents.livemode, p('livemode')),
        ),
      )
      .prepare(),
    attempt: db
      .select()
      .from(s.paymentAttempts)
      .where(eq(s.paymentAttempts.id, p('id')))
      .prepare(),
    event: db
      .select()
      .from(s.events)
      .where(eq(s.events.id, p('id')))
      .prepare(),
    liveOrder: db
      .select()
      .from(s.paymentIntents)
      .where(
        and(
          eq(s.paymentIntents.merchantId, p('merchantId')),
          eq(s.paymentIntents.livemode, p('livemode')),
          eq(s.paymentIntents.orderId, p('orderId')),
          not(inArray(s.paymentIntents.status, ['failed', 'canceled', 'expired'])),
        ),
      )
      .prepare(),
    endpoints: db
      .select()
      .from(s.webhookEndpoints)
      .where(
        and(
          eq(s.webhookEndpoints.merchantId, p('merchantId')),
          eq(s.webhookEndpoints.livemode, p('livemode')),
          isNull(s.webhookEndpoints.deletedAt),
        ),
      )
      .orderBy(asc(s.webhookEndpoints.createdAt), asc(s.webhookEndpoints.id))
      .prepare(),
    endpoint: db
      .select()
      .from(s.webhookEndpoints)
      .where(and(eq(s.webhookEndpoints.id, p('id')), isNull(s.webhookEndpoints.deletedAt)))
      .prepare(),
    ownEndpoint: db
      .select()
      .from(s.webhookEndpoints)
      .where(
        and(
          eq(s.webhookEndpoints.id, p('id')),
          eq(s.webhookEndpoints.merchantId, p('merchantId')),
          eq(s.webhookEndpoints.livemode, p('livemode')),
          isNull(s.webhookEndpoints.deletedAt),
        ),
      )
      .prepare(),
    deleteJob: db
      .delete(s.jobs)
      .where(eq(s.jobs.id, p('id')))
      .prepare(),
    delivery: db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.id, p('id')))
      .prepare(),
    idempotency: db
      .select()
      .from(s.idempotencyKeys)
      .where(
        and(eq(s.idempotencyKeys.merchantId, p('merchantId')), eq(s.idempotencyKeys.key, p('key'))),
      )
      .prepare(),
  };
}

function createTx(
  db: Db,
  sqlite: Database.Database,
  queued: { count: number; intents: string[] | null },
): StoreTx {
  const run = async <T>(fn: () => T): Promise<T> => fn();
  const q = preparedQueries(db);
  const w = createWriteStatements(sqlite);
  const jobSql = jobStatements(sqlite);
  let rateLimitHit: Database.Statement | undefined;
  const claimCursor: { key: string | null } = { key: null };
  return {
    getSetting: (key) => run(() => q.setting.get({ key })?.value ?? null),
    setSetting: (key, value) =>
      run(() => {
        db.insert(s.settings)
          .values({ key, value })
          .onConflictDoUpdate({ target: s.settings.key, set: { value } })
          .run();
      }),
    claimSetting: (key, value) =>
      run(() => w.insert(s.settings, { key, value }, { ignoreConflict: true }) === 1),

    insertMerchant: (row) => run(() => void w.insert(s.merchants, row)),
    updateMerchant: (id, patch) => run(() => void w.update(s.merchants, patch, { id })),
    getMerchant: (id) => run(() => q.merchant.get({ id }) ?? null),
    getDashboardUser: (id) =>
      run(
        () => db.select().from(s.dashboardUsers).where(eq(s.dashboardUsers.id, id)).get() ?? null,
      ),
    findDashboardUserByEmail: (email) =>
      run(
        () =>
          db.select().from(s.dashboardUsers).where(eq(s.dashboardUsers.email, email)).get() ?? null,
      ),
    getDashboardSession: (id) =>
      run(
        () =>
          db.select().from(s.dashboardSessions).where(eq(s.dashboardSessions.id, id)).get() ?? null,
      ),
    insertDashboardUser: (row) =>
      run(() => w.insert(s.dashboardUsers, row, { ignoreConflict: true }) === 1),
    changeDashboardPassword: (id, fromHash, toHash) =>
      run(
        () =>
          w.update(
            s.dashboardUsers,
            { passwordHash: toHash, mustChangePassword: false },
            { id, passwordHash: fromHash },
          ) === 1,
      ),
    insertDashboardSession: (row) => run(() => void w.insert(s.dashboardSessions, row)),
    touchDashboardSession: (id, now, idleSince) =>
      run(() => {
        const t = s.dashboardSessions;
        return (
          db
            .update(t)
            .set({ lastSeenAt: now })
            .where(and(eq(t.id, id), gte(t.lastSeenAt, idleSince), gt(t.expiresAt, now)))
            .run().changes === 1
        );
      }),
    deleteDashboardSessions: (which) =>
      run(() => {
        const t = s.dashboardSessions;
        return db
          .delete(t)
          .where(
            'id' in which
              ? eq(t.id, which.id)
              : 'userId' in which
                ? eq(t.userId, which.userId)
                : or(lte(t.expiresAt, which.now), lt(t.lastSeenAt, which.idleSince)),
          )
          .run().changes;
      }),
    insertApiKey: (row) => run(() => void w.insert(s.apiKeys, row)),
    listApiKeys: (merchantId, livemode) =>
      run(() =>
        db
          .select()
          .from(s.apiKeys)
          .where(and(eq(s.apiKeys.merchantId, merchantId), eq(s.apiKeys.livemode, livemode)))
          .orderBy(desc(s.apiKeys.createdAt), desc(s.apiKeys.id))
          .all(),
      ),
    revokeApiKey: (id, at) =>
      run(
        () =>
          db
            .update(s.apiKeys)
            .set({ revokedAt: at })
            .where(and(eq(s.apiKeys.id, id), isNull(s.apiKeys.revokedAt)))
            .run().changes === 1,
      ),
    expireApiKey: (id, at) =>
      run(
        () =>
          db
            .update(s.apiKeys)
            .set({ revokedAt: at })
            .where(
              and(
                eq(s.apiKeys.id, id),
                or(isNull(s.apiKeys.revokedAt), gt(s.apiKeys.revokedAt, at)),
              ),
            )
            .run().changes === 1,
      ),
    findKeyBySecretHash: (hash) => run(() => q.keyBySecret.get({ hash }) ?? null),
    findKeyByPublishable: (key) => run(() => q.keyByPublishable.get({ key }) ?? null),
    findActiveSecretKey: (merchantId, livemode) =>
      run(() => q.activeSecretKey.get({ merchantId, livemode: livemode ? 1 : 0 }) ?? null),
    insertIntent: (row) =>
      run(() => w.insert(s.paymentIntents, row, { ignoreConflict: true }) === 1),
    claimIntentOperation: (id, operation, status, now) =>
      run(() => {
        const t = s.paymentIntents;
        return (
          db
            .update(t)
            .set({ operation, updatedAt: now })
            .where(
              and(
                eq(t.id, id),
                eq(t.status, status),
                or(isNull(t.operation), eq(t.operation, operation)),
              ),
            )
            .run().changes === 1
        );
      }),
    getIntent: (id, owner) =>
      run(
        () =>
          (owner
            ? q.ownIntent.get({
                id,
                merchantId: owner.merchantId,
                livemode: owner.livemode ? 1 : 0,
              })
            : q.intent.get({ id })) ?? null,
      ),
    findLiveIntentByOrder: (merchantId, livemode, orderId) =>
      run(() => q.liveOrder.get({ merchantId, livemode: livemode ? 1 : 0, orderId }) ?? null),
    updateIntent: (id, from, patch) =>
      run(() => {
        const moved = w.update(s.paymentIntents, patch, { id, status: from }) === 1;
        if (moved) queued.intents?.push(id);
        return moved;
      }),
    releaseIntentOperation: (id, operation) =>
      run(() => void w.update(s.paymentIntents, { operation: null }, { id, operation })),
    reserveRefund: (intentId, amount, now) =>
      run(() => {
        const t = s.paymentIntents;
        return (
          db
            .update(t)
            .set({ amountRefunded: sql`${t.amountRefunded} + ${amount}`, updatedAt: now })
            .where(
              and(
                eq(t.id, intentId),
                eq(t.status, 'succeeded'),
                sql`${t.amountReceived} - ${t.amountRefunded} >= ${amount}`,
              ),
            )
            .returning()
            .get() ?? null
        );
      }),
    returnRefund: (intentId, amount, now) =>
      run(() => {
        const t = s.paymentIntents;
        db.update(t)
          .set({ amountRefunded: sql`max(0, ${t.amountRefunded} - ${amount})`, updatedAt: now })
          .where(eq(t.id, intentId))
          .run();
      }),
    listIntents: (f) =>
      run(() =>
        pageOf(db, s.paymentIntents, intentFilter(s.paymentIntents, s.paymentAttempts, f), f),
      ),
    listStaleAuthorizations: (before, limit) =>
      run(() => {
        const t = s.paymentIntents;
        return (
          db
            .select()
            .from(t)
            // Literal statuses: with bound parameters SQLite cannot use the partial index
            // and scans the whole table, on every sweep.
            .where(
              and(
                sql`${t.status} = 'requires_capture'`,
                lte(t.updatedAt, before),
                // One with a capture or cancel under way is that operation's to finish.
                isNull(t.operation),
              ),
            )
            .orderBy(asc(t.updatedAt))
            .limit(limit)
            .all()
        );
      }),
    listExpiredOpenIntents: (now, limit) =>
      run(() => {
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
          .limit(limit)
          .all();
      }),

    insertAttempt: (row) => run(() => void w.insert(s.paymentAttempts, row)),
    countFailedAttempts: (intentId, clientKey) =>
      run(() => {
        const t = s.paymentAttempts;
        return (
          db
            .select({ n: sql<number>`count(*)` })
            .from(t)
            .where(
              and(
                eq(t.intentId, intentId),
                eq(t.clientKey, clientKey),
                eq(t.status, 'failed'),
                notLeft(t),
              ),
            )
            .get()?.n ?? 0
        );
      }),
    getAttempt: (id) => run(() => q.attempt.get({ id }) ?? null),
    findAttemptByReference: (processor, reference) =>
      run(() => q.attemptByReference.get({ processor, reference }) ?? null),
    updateAttempt: (id, patch) => run(() => void w.update(s.paymentAttempts, patch, { id })),

    insertEvent: (row) => run(() => void w.insert(s.events, row)),
    listEventsForObject: (objectId) =>
      run(() =>
        db
          .select()
          .from(s.events)
          .where(eq(s.events.objectId, objectId))
          .orderBy(asc(s.events.seq))
          .all()
          .map(({ seq: _seq, ...row }) => row),
      ),

    getEvent: (id, owner) =>
      run(() =>
        owner
          ? (db
              .select()
              .from(s.events)
              .where(and(eq(s.events.id, id), ownedBy(s.events, owner)))
              .get() ?? null)
          : (q.event.get({ id }) ?? null),
      ),
    listEvents: (f) =>
      run(() => {
        const order = f.before !== undefined ? asc(s.events.seq) : desc(s.events.seq);
        const rows = db
          .select()
          .from(s.events)
          .where(eventFilter(s.events, f))
          .orderBy(order)
          .limit(f.limit)
          .all();
        return f.before !== undefined ? rows.reverse() : rows;
      }),

    insertEndpoint: (row) => run(() => void w.insert(s.webhookEndpoints, row)),
    getEndpoint: (id, owner) =>
      run(
        () =>
          (owner
            ? q.ownEndpoint.get({
                id,
                merchantId: owner.merchantId,
                livemode: owner.livemode ? 1 : 0,
              })
            : q.endpoint.get({ id })) ?? null,
      ),
    listEndpoints: (merchantId, livemode) =>
      run(() => q.endpoints.all({ merchantId, livemode: livemode ? 1 : 0 })),
    pageEndpoints: (f) =>
      run(() =>
        pageOf(
          db,
          s.webhookEndpoints,
          and(ownedBy(s.webhookEndpoints, f), isNull(s.webhookEndpoints.deletedAt)),
          f,
        ),
      ),
    updateEndpoint: (id, patch) => run(() => void w.update(s.webhookEndpoints, patch, { id })),

    insertDelivery: (row) => run(() => void w.insert(s.webhookDeliveries, row)),
    getDelivery: (id) => run(() => q.delivery.get({ id }) ?? null),
    updateDelivery: (id, patch, from) =>
      run(() => w.update(s.webhookDeliveries, patch, from ? { id, status: from } : { id }) === 1),
    listDeliveries: (f) =>
      run(() => {
        const t = s.webhookDeliveries;
        const k = keyset(t.createdAt, t.id, f);
        return k.flip(
          db
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
            .limit(f.limit)
            .all()
            .map((r) => ({ ...r.delivery, eventType: r.eventType })),
        );
      }),
    insertWebhookAttempt: (row) => run(() => void w.insert(s.webhookAttempts, row)),
    overview: (f) =>
      run(() => {
        const live = f.livemode ? 1 : 0;
        const intents = db.all<OverviewRows['intents'][number]>(overviewIntentsSql(f, live));
        const attempts = db
          .all<OverviewRows['attempts'][number]>(overviewAttemptsSql(f, live))
          .map((r) => ({ ...r, declineCode: r.declineCode || null }));
        const webhooks = db.all<{ latencyMs: number; status: number | null }>(sql`
          SELECT w.latency_ms AS latencyMs, w.response_status AS status
          FROM webhook_endpoints e
          JOIN webhook_deliveries d ON d.endpoint_id = e.id
          JOIN webhook_attempts w ON w.delivery_id = d.id
          WHERE e.merchant_id = ${f.merchantId} AND e.livemode = ${live}
            AND d.created_at >= ${f.from} AND d.created_at <= ${f.to}
          ORDER BY d.created_at DESC LIMIT ${f.maxWebhookAttempts}`);
        return { intents, attempts, webhooks };
      }),
    foldStats: (limit) =>
      run(() => {
        let most = 0;
        for (const [changes, hourly, keys, sums] of STAT_TABLES) {
          const top = db.get<{ id: number | null; n: number }>(
            sql`SELECT max(id) AS id, count(*) AS n FROM (SELECT id FROM ${sql.identifier(changes)} ORDER BY id LIMIT ${limit})`,
          );
          if (!top || top.id === null) continue;
          const cols = sql.raw([...keys, ...sums].join(', '));
          const keyCols = sql.raw(keys.join(', '));
          // WHERE before ON CONFLICT: SQLite's parser needs it to tell the upsert apart.
          db.run(sql`INSERT INTO ${sql.identifier(hourly)} (${cols})
            SELECT ${keyCols}, ${sql.raw(sums.map((c) => `sum(${c})`).join(', '))}
            FROM ${sql.identifier(changes)} WHERE id <= ${top.id}
            GROUP BY ${keyCols} ORDER BY ${keyCols}
            ON CONFLICT (${keyCols}) DO UPDATE SET ${sql.raw(
              sums.map((c) => `${c} = ${c} + excluded.${c}`).join(', '),
            )}`);
          db.run(sql`DELETE FROM ${sql.identifier(changes)} WHERE id <= ${top.id}`);
          most = Math.max(most, top.n);
        }
        return most;
      }),
    listAttemptsOfIntent: (intentId) =>
      run(() =>
        db
          .select()
          .from(s.paymentAttempts)
          .where(eq(s.paymentAttempts.intentId, intentId))
          .orderBy(asc(s.paymentAttempts.createdAt), asc(s.paymentAttempts.id))
          .all(),
      ),
    listDeliveriesOfEvents: (eventIds) =>
      run(() =>
        eventIds.length === 0
          ? []
          : db
              .select()
              .from(s.webhookDeliveries)
              .where(inArray(s.webhookDeliveries.eventId, eventIds))
              .orderBy(asc(s.webhookDeliveries.createdAt), asc(s.webhookDeliveries.id))
              .all(),
      ),
    listWebhookAttempts: (deliveryIds) =>
      run(() =>
        deliveryIds.length === 0
          ? []
          : db
              .select()
              .from(s.webhookAttempts)
              .where(inArray(s.webhookAttempts.deliveryId, deliveryIds))
              .orderBy(asc(s.webhookAttempts.id))
              .all()
              .map(({ id: _id, ...row }) => row),
      ),

    listAttemptsBetween: (processor, from, to) =>
      run(() => {
        const t = s.paymentAttempts;
        return db
          .select()
          .from(t)
          .where(and(eq(t.processor, processor), gte(t.createdAt, from), lt(t.createdAt, to)))
          .all();
      }),
    insertReconciliationRun: (row) => run(() => void w.insert(s.reconciliationRuns, row)),
    getReconciliationRun: (id, owner) =>
      run(() => {
        const t = s.reconciliationRuns;
        return (
          db
            .select()
            .from(t)
            .where(and(eq(t.id, id), owner ? ownedBy(t, owner) : undefined))
            .get() ?? null
        );
      }),
    listReconciliationRuns: (f) =>
      run(() => pageOf(db, s.reconciliationRuns, and(ownedBy(s.reconciliationRuns, f)), f)),
    findReconciliationRun: (date, merchantId) =>
      run(() => {
        const t = s.reconciliationRuns;
        return (
          db
            .select()
            .from(t)
            .where(
              and(
                eq(t.date, date),
                merchantId === null ? isNull(t.merchantId) : eq(t.merchantId, merchantId),
              ),
            )
            .get() ?? null
        );
      }),
    insertRefund: (row) => run(() => void w.insert(s.refunds, row)),
    getRefund: (id, owner) =>
      run(() => {
        const t = s.refunds;
        return (
          db
            .select()
            .from(t)
            .where(and(eq(t.id, id), owner ? ownedBy(t, owner) : undefined))
            .get() ?? null
        );
      }),
    updateRefund: (id, from, patch) =>
      run(() => w.update(s.refunds, patch, { id, status: from }) === 1),
    listRefunds: (f) =>
      run(() =>
        pageOf(
          db,
          s.refunds,
          and(ownedBy(s.refunds, f), f.intentId ? eq(s.refunds.intentId, f.intentId) : undefined),
          f,
        ),
      ),
    jobStats: (merchantId) =>
      run(() =>
        db.all<{
          kind: string;
          status: string;
          retrying: number;
          count: number;
          oldest: number;
        }>(sql`
          SELECT kind, status, sum(attempts > 0) AS retrying, count(*) AS count, min(run_at) AS oldest
          FROM jobs WHERE ${merchantId === null ? sql`1` : sql`merchant_id = ${merchantId}`}
          GROUP BY kind, status`),
      ),
    insertProcessorNotification: (row) =>
      run(() => w.insert(s.processorNotifications, row, { ignoreConflict: true }) === 1),
    saveProcessorAccount: (row) =>
      run(() => {
        const t = s.processorAccounts;
        return db
          .insert(t)
          .values(row)
          .onConflictDoUpdate({
            target: [t.merchantId, t.processor, t.livemode],
            set: { sealed: row.sealed, hints: row.hints, updatedAt: row.updatedAt },
          })
          .returning()
          .get() as ProcessorAccountRow;
      }),
    getProcessorAccount: (id) =>
      run(
        () =>
          db.select().from(s.processorAccounts).where(eq(s.processorAccounts.id, id)).get() ?? null,
      ),
    listProcessorAccounts: (merchantId) =>
      run(() => {
        const t = s.processorAccounts;
        const all = db.select().from(t);
        return (merchantId ? all.where(eq(t.merchantId, merchantId)) : all)
          .orderBy(t.createdAt)
          .all();
      }),
    findRefundByReference: (reference) =>
      run(
        () =>
          db.select().from(s.refunds).where(eq(s.refunds.processorReference, reference)).get() ??
          null,
      ),

    getIdempotency: (merchantId, key) => run(() => q.idempotency.get({ merchantId, key }) ?? null),
    bindIdempotency: (merchantId, key, token, objectId) =>
      run(() => {
        const t = s.idempotencyKeys;
        return (
          db
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
            .run().changes === 1
        );
      }),
    updateIdempotencyHeld: (merchantId, key, token, patch) =>
      run(() => {
        const t = s.idempotencyKeys;
        return (
          db
            .update(t)
            .set(patch)
            .where(and(eq(t.merchantId, merchantId), eq(t.key, key), eq(t.token, token)))
            .run().changes === 1
        );
      }),
    deleteIdempotencyHeld: (merchantId, key, token) =>
      run(() => {
        const t = s.idempotencyKeys;
        db.delete(t)
          .where(and(eq(t.merchantId, merchantId), eq(t.key, key), eq(t.token, token)))
          .run();
      }),
    hitRateLimit: (key, windowStart) =>
      run(() => {
        // One statement: a new window restarts the count, the same window adds one.
        rateLimitHit ??= sqlite.prepare(
          `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
             ON CONFLICT(key) DO UPDATE SET
               count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
               window_start = excluded.window_start
             RETURNING count`,
        );
        const row = rateLimitHit.get(key, windowStart) as { count: number };
        return row.count;
      }),
    purgeRateLimits: (before) =>
      run(() => db.delete(s.rateLimits).where(lt(s.rateLimits.windowStart, before)).run().changes),
    claimIdempotency: (row) =>
      run(() => w.insert(s.idempotencyKeys, row, { ignoreConflict: true }) === 1),
    purgeIdempotency: (now) =>
      run(
        () =>
          db.delete(s.idempotencyKeys).where(lte(s.idempotencyKeys.expiresAt, now)).run().changes,
      ),

    enqueueJob: (row) =>
      run(() => {
        w.insert(s.jobs, row);
        queued.count++;
      }),
    claimJobs: (now, limit, lockUntil, keys) =>
      run(() => {
        // Each concurrency key (endpoint) with room is asked for its oldest due jobs by a
        // seek on (status, key, run_at), so a claim costs a few index lookups per endpoint
        // whatever the backlog, and a slow endpoint's backlog never hides the others'.
        // Endpoints are visited round-robin from where the last claim stopped.
        const found: { id: string; runAt: number }[] = [];
        for (const job of jobSql.dueUnkeyed.all(now, limit) as { id: string; run_at: number }[]) {
          found.push({ id: job.id, runAt: job.run_at });
        }
        let key: string | null = claimCursor.key;
        let wrapped = false;
        // What runs now, every worker's: counted here, in the claim's transaction, which
        // SQLite's single writer makes the only claim at this moment.
        const running = (k: string) => (jobSql.runningForKey.get(k, now) as { n: number }).n;
        const groups: Record<string, number> = {};
        const groupRunning = (g: string) =>
          (groups[g] ??= (jobSql.runningForGroup.get(`${g}/`, `${g}0`, now) as { n: number }).n);
        let keyed = 0;
        for (let visited = 0; visited < MAX_CLAIM_KEYS; ) {
          const next = (jobSql.nextKey.get(key ?? '') as { key: string | null } | undefined)?.key;
          if (next === undefined || next === null) {
            // The end of the keys: go round once from the first, up to where we began.
            if (wrapped || claimCursor.key === null) break;
            wrapped = true;
            key = null;
            continue;
          }
          if (wrapped && claimCursor.key !== null && next > claimCursor.key) break;
          key = next;
          visited++;
          const group = groupOf(next);
          const room = Math.min(
            keys.perKey - running(next),
            keys.perGroup === undefined ? Infinity : keys.perGroup - groupRunning(group),
            (keys.keyedRoom ?? Infinity) - keyed,
            limit,
          );
          if (room <= 0) continue;
          for (const job of jobSql.dueForKey.all(next, now, room) as {
            id: string;
            run_at: number;
          }[]) {
            found.push({ id: job.id, runAt: job.run_at });
            groups[group] = groupRunning(group) + 1;
            keyed++;
          }
        }
        claimCursor.key = key;
        found.sort((a, b) => a.runAt - b.runAt);
        const ids = found.slice(0, limit).map((j) => j.id);
        // Jobs of a worker that died: their lock ran out while they were running.
        if (ids.length < limit) {
          for (const job of jobSql.orphans.all(now, limit - ids.length) as { id: string }[]) {
            ids.push(job.id);
          }
        }
        return ids.map((id) => jobFromRaw(jobSql.claim.get(lockUntil, now, id) as RawJob));
      }),
    claimNextForKey: (key, now, lockUntil) =>
      run(() => {
        const [next] = jobSql.dueForKey.all(key, now, 1) as { id: string }[];
        return next ? jobFromRaw(jobSql.claim.get(lockUntil, now, next.id) as RawJob) : null;
      }),
    deleteJob: (id) => run(() => void q.deleteJob.run({ id })),
    updateJob: (id, patch) => run(() => void w.update(s.jobs, patch, { id })),
  };
}
