import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  like,
  lt,
  lte,
  not,
  or,
  type SQL,
} from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { EventListFilter, IntentListFilter, JobRow, Store, StoreTx } from '../types.ts';
import { createMutex } from './mutex.ts';
import * as s from './schema.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for tests. */
  filename: string;
  /** `FULL` (default) survives power loss; `NORMAL` survives a crash of the process. */
  synchronous?: 'FULL' | 'NORMAL';
}

type Db = BetterSQLite3Database<typeof s>;

/**
 * The embedded store: one SQLite file in WAL mode, migrated on open. All access is
 * serialised through one connection, so transactions never interleave.
 *
 * @example
 * const store = createSqliteStore({ filename: './data/kassa.db' });
 */
export function createSqliteStore(opts: SqliteStoreOptions): Store {
  if (opts.filename !== ':memory:') mkdirSync(dirname(opts.filename), { recursive: true });
  const sqlite = new Database(opts.filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db: Db = drizzle(sqlite, { schema: s });
  migrate(db, { migrationsFolder: MIGRATIONS });

  const jobListeners: (() => void)[] = [];
  const queued = { count: 0 };
  const tx = createTx(db, queued);
  const lock = createMutex();
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');

  return {
    transaction: (fn) =>
      lock(async () => {
        begin.run();
        queued.count = 0;
        try {
          const result = await fn(tx);
          commit.run();
          if (queued.count > 0) for (const l of jobListeners) l();
          return result;
        } catch (err) {
          if (sqlite.inTransaction) rollback.run();
          throw err;
        }
      }),
    onJobsCommitted: (listener) => {
      jobListeners.push(listener);
    },
    read: (fn) => lock(() => fn(tx)),
    close: async () => {
      await lock(async () => sqlite.close());
    },
  };
}

function intentFilter(f: IntentListFilter): SQL | undefined {
  const t = s.paymentIntents;
  const conds: (SQL | undefined)[] = [eq(t.merchantId, f.merchantId), eq(t.livemode, f.livemode)];
  if (f.status) conds.push(eq(t.status, f.status));
  if (f.orderId) conds.push(eq(t.orderId, f.orderId));
  if (f.createdGte !== undefined) conds.push(gte(t.createdAt, f.createdGte));
  if (f.createdLte !== undefined) conds.push(lte(t.createdAt, f.createdLte));
  if (f.after) {
    const { createdAt, id } = f.after;
    conds.push(or(lt(t.createdAt, createdAt), and(eq(t.createdAt, createdAt), lt(t.id, id))));
  }
  if (f.before) {
    const { createdAt, id } = f.before;
    conds.push(or(gt(t.createdAt, createdAt), and(eq(t.createdAt, createdAt), gt(t.id, id))));
  }
  return and(...conds);
}

function eventFilter(f: EventListFilter): SQL | undefined {
  const t = s.events;
  const conds: (SQL | undefined)[] = [eq(t.merchantId, f.merchantId), eq(t.livemode, f.livemode)];
  if (f.typePattern && f.typePattern !== '*') {
    conds.push(
      f.typePattern.endsWith('.*')
        ? like(t.type, `${f.typePattern.slice(0, -1)}%`)
        : eq(t.type, f.typePattern as never),
    );
  }
  if (f.createdGte !== undefined) conds.push(gte(t.createdAt, f.createdGte));
  if (f.createdLte !== undefined) conds.push(lte(t.createdAt, f.createdLte));
  if (f.afterSeq !== undefined) conds.push(lt(t.seq, f.afterSeq));
  if (f.beforeSeq !== undefined) conds.push(gt(t.seq, f.beforeSeq));
  return and(...conds);
}

function createTx(db: Db, queued: { count: number }): StoreTx {
  const run = async <T>(fn: () => T): Promise<T> => fn();
  return {
    getSetting: (key) =>
      run(() => db.select().from(s.settings).where(eq(s.settings.key, key)).get()?.value ?? null),
    setSetting: (key, value) =>
      run(() => {
        db.insert(s.settings)
          .values({ key, value })
          .onConflictDoUpdate({ target: s.settings.key, set: { value } })
          .run();
      }),

    insertMerchant: (row) => run(() => void db.insert(s.merchants).values(row).run()),
    getMerchant: (id) =>
      run(() => db.select().from(s.merchants).where(eq(s.merchants.id, id)).get() ?? null),
    insertApiKey: (row) => run(() => void db.insert(s.apiKeys).values(row).run()),
    findKeyBySecretHash: (hash) =>
      run(() => db.select().from(s.apiKeys).where(eq(s.apiKeys.secretHash, hash)).get() ?? null),
    findKeyByPublishable: (key) =>
      run(() => db.select().from(s.apiKeys).where(eq(s.apiKeys.publishableKey, key)).get() ?? null),

    findActiveSecretKey: (merchantId, livemode) =>
      run(() => {
        const t = s.apiKeys;
        return (
          db
            .select()
            .from(t)
            .where(
              and(
                eq(t.merchantId, merchantId),
                eq(t.livemode, livemode),
                eq(t.kind, 'secret'),
                isNull(t.revokedAt),
              ),
            )
            .orderBy(desc(t.createdAt))
            .get() ?? null
        );
      }),
    insertIntent: (row) => run(() => void db.insert(s.paymentIntents).values(row).run()),
    getIntent: (id) =>
      run(
        () => db.select().from(s.paymentIntents).where(eq(s.paymentIntents.id, id)).get() ?? null,
      ),
    findLiveIntentByOrder: (merchantId, livemode, orderId) =>
      run(() => {
        const t = s.paymentIntents;
        return (
          db
            .select()
            .from(t)
            .where(
              and(
                eq(t.merchantId, merchantId),
                eq(t.livemode, livemode),
                eq(t.orderId, orderId),
                not(inArray(t.status, ['failed', 'canceled', 'expired'])),
              ),
            )
            .get() ?? null
        );
      }),
    updateIntent: (id, patch) =>
      run(() => {
        db.update(s.paymentIntents).set(patch).where(eq(s.paymentIntents.id, id)).run();
      }),
    listIntents: (f) =>
      run(() => {
        const t = s.paymentIntents;
        // Newest first; `before` pages walk the other way and are flipped back.
        const order = f.before ? [asc(t.createdAt), asc(t.id)] : [desc(t.createdAt), desc(t.id)];
        const rows = db
          .select()
          .from(t)
          .where(intentFilter(f))
          .orderBy(...order)
          .limit(f.limit)
          .all();
        return f.before ? rows.reverse() : rows;
      }),
    listExpiredOpenIntents: (now, limit) =>
      run(() => {
        const t = s.paymentIntents;
        return db
          .select()
          .from(t)
          .where(
            and(
              inArray(t.status, ['requires_payment_method', 'requires_action']),
              lte(t.expiresAt, now),
            ),
          )
          .orderBy(asc(t.expiresAt))
          .limit(limit)
          .all();
      }),

    insertAttempt: (row) => run(() => void db.insert(s.paymentAttempts).values(row).run()),
    getAttempt: (id) =>
      run(
        () => db.select().from(s.paymentAttempts).where(eq(s.paymentAttempts.id, id)).get() ?? null,
      ),
    findAttemptByReference: (processor, reference) =>
      run(() => {
        const t = s.paymentAttempts;
        return (
          db
            .select()
            .from(t)
            .where(and(eq(t.processor, processor), eq(t.processorReference, reference)))
            .get() ?? null
        );
      }),
    updateAttempt: (id, patch) =>
      run(() => {
        db.update(s.paymentAttempts).set(patch).where(eq(s.paymentAttempts.id, id)).run();
      }),

    insertEvent: (row) => run(() => void db.insert(s.events).values(row).run()),
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

    getEvent: (id) =>
      run(() => db.select().from(s.events).where(eq(s.events.id, id)).get() ?? null),
    listEvents: (f) =>
      run(() => {
        const order = f.beforeSeq !== undefined ? asc(s.events.seq) : desc(s.events.seq);
        const rows = db
          .select()
          .from(s.events)
          .where(eventFilter(f))
          .orderBy(order)
          .limit(f.limit)
          .all();
        return f.beforeSeq !== undefined ? rows.reverse() : rows;
      }),

    insertEndpoint: (row) => run(() => void db.insert(s.webhookEndpoints).values(row).run()),
    getEndpoint: (id) =>
      run(
        () =>
          db
            .select()
            .from(s.webhookEndpoints)
            .where(and(eq(s.webhookEndpoints.id, id), isNull(s.webhookEndpoints.deletedAt)))
            .get() ?? null,
      ),
    listEndpoints: (merchantId, livemode) =>
      run(() => {
        const t = s.webhookEndpoints;
        return db
          .select()
          .from(t)
          .where(and(eq(t.merchantId, merchantId), eq(t.livemode, livemode), isNull(t.deletedAt)))
          .orderBy(asc(t.createdAt), asc(t.id))
          .all();
      }),
    updateEndpoint: (id, patch) =>
      run(() => {
        db.update(s.webhookEndpoints).set(patch).where(eq(s.webhookEndpoints.id, id)).run();
      }),

    insertDelivery: (row) => run(() => void db.insert(s.webhookDeliveries).values(row).run()),
    getDelivery: (id) =>
      run(
        () =>
          db.select().from(s.webhookDeliveries).where(eq(s.webhookDeliveries.id, id)).get() ?? null,
      ),
    updateDelivery: (id, patch) =>
      run(() => {
        db.update(s.webhookDeliveries).set(patch).where(eq(s.webhookDeliveries.id, id)).run();
      }),
    listDeliveries: (endpointId, limit, beforeCreatedAt) =>
      run(() => {
        const t = s.webhookDeliveries;
        return db
          .select()
          .from(t)
          .where(
            and(
              eq(t.endpointId, endpointId),
              beforeCreatedAt === undefined ? undefined : lt(t.createdAt, beforeCreatedAt),
            ),
          )
          .orderBy(desc(t.createdAt), desc(t.id))
          .limit(limit)
          .all();
      }),
    insertWebhookAttempt: (row) => run(() => void db.insert(s.webhookAttempts).values(row).run()),
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

    insertProcessorNotification: (row) =>
      run(
        () =>
          db.insert(s.processorNotifications).values(row).onConflictDoNothing().run().changes === 1,
      ),

    getIdempotency: (merchantId, key) =>
      run(() => {
        const t = s.idempotencyKeys;
        return (
          db
            .select()
            .from(t)
            .where(and(eq(t.merchantId, merchantId), eq(t.key, key)))
            .get() ?? null
        );
      }),
    claimIdempotency: (row) =>
      run(() => db.insert(s.idempotencyKeys).values(row).onConflictDoNothing().run().changes === 1),
    updateIdempotency: (merchantId, key, patch) =>
      run(() => {
        const t = s.idempotencyKeys;
        db.update(t)
          .set(patch)
          .where(and(eq(t.merchantId, merchantId), eq(t.key, key)))
          .run();
      }),
    deleteIdempotency: (merchantId, key) =>
      run(() => {
        const t = s.idempotencyKeys;
        db.delete(t)
          .where(and(eq(t.merchantId, merchantId), eq(t.key, key)))
          .run();
      }),
    purgeIdempotency: (now) =>
      run(
        () =>
          db.delete(s.idempotencyKeys).where(lte(s.idempotencyKeys.expiresAt, now)).run().changes,
      ),

    enqueueJob: (row) =>
      run(() => {
        db.insert(s.jobs).values(row).run();
        queued.count++;
      }),
    claimJobs: (now, limit, lockUntil, busyKeys) =>
      run(() => {
        const t = s.jobs;
        // Due queued jobs, and running ones whose worker died (lock expired).
        const due = db
          .select()
          .from(t)
          .where(
            and(
              or(
                and(eq(t.status, 'queued'), lte(t.runAt, now)),
                and(eq(t.status, 'running'), lte(t.lockedUntil, now)),
              ),
              busyKeys.length
                ? or(isNull(t.concurrencyKey), not(inArray(t.concurrencyKey, busyKeys)))
                : undefined,
            ),
          )
          .orderBy(asc(t.runAt))
          .limit(limit)
          .all();
        if (due.length === 0) return [];
        const ids = due.map((j) => j.id);
        db.update(t)
          .set({ status: 'running', lockedUntil: lockUntil, updatedAt: now })
          .where(inArray(t.id, ids))
          .run();
        return due.map((j): JobRow => ({ ...j, status: 'running', lockedUntil: lockUntil }));
      }),
    updateJob: (id, patch) =>
      run(() => {
        db.update(s.jobs).set(patch).where(eq(s.jobs.id, id)).run();
      }),
  };
}
