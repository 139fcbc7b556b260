import { insertSql, row, rows, sql, updateSql } from '../executor.ts';
import type { IntentListFilter, IntentRow, OwnerFilter, Patch } from '../rows.ts';
import { keyset } from './paging.ts';
import { repository } from './repository.ts';

export interface IntentReads {
  /**
   * Reads by id take an `owner` (a merchant and mode): then another merchant's row, or
   * the other mode's, is not found — the tenancy scope is part of the query, so an API
   * route never sees a row its caller does not own. Internal callers (the worker, a
   * processor's notification) read without one. In a write transaction the row is read
   * with its lock, held to the commit (PostgreSQL): what a transaction decides from an
   * intent's state (the webhook and the browser completing one payment at once) is
   * decided on that state, one after the other, as SQLite's single writer orders them.
   */
  get(id: string, owner?: OwnerFilter): Promise<IntentRow | null>;
  /** The intent of an order that is open or succeeded, if any. */
  liveByOrder(merchantId: string, livemode: boolean, orderId: string): Promise<IntentRow | null>;
  /** A page, newest first. */
  list(filter: IntentListFilter): Promise<IntentRow[]>;
  /** Held (requires_capture) intents last changed before `before`, oldest first. */
  staleAuthorizations(before: number, limit: number): Promise<IntentRow[]>;
  /** Intents past their expiry that are still open, oldest first. */
  expiredOpen(now: number, limit: number): Promise<IntentRow[]>;
}

export interface IntentWrites {
  /** Inserts an intent; false if its order already has an open or paid intent (the
   * database's unique index decided, whoever inserted first). */
  insert(row: IntentRow): Promise<boolean>;
  /** Writes `patch` only if the intent is still in status `from`; false if it moved. */
  update(id: string, from: IntentRow['status'], patch: Patch<IntentRow>): Promise<boolean>;
  /**
   * Writes `patch` if the intent is still in status `from`; if it moved, the transaction
   * fails with `moved()` and commits nothing. Nothing to wait for: on PostgreSQL it goes
   * with the next statement or the commit, checked by the database.
   */
  advance(
    id: string,
    from: IntentRow['status'],
    patch: Patch<IntentRow>,
    moved: () => Error,
  ): Promise<void>;
  /** Claims a capture or cancel: sets `operation` only if the intent is in `status` and
   * no operation is under way (or the same one, to resume it). False otherwise. */
  claimOperation(
    id: string,
    operation: 'capture' | 'cancel',
    status: IntentRow['status'],
    now: number,
  ): Promise<boolean>;
  /** Clears a claimed operation that did not move the intent (the processor refused). */
  releaseOperation(id: string, operation: 'capture' | 'cancel'): Promise<void>;
}

export const intentsRepository = repository<IntentReads, IntentWrites>((ex, d) => {
  const c = d.codecs.intents;
  const lock = () => (ex.writing && d.name === 'postgres' ? sql.raw(' FOR UPDATE') : sql.raw(''));
  return {
    read: {
      get: (id, owner) =>
        row(
          ex,
          c,
          owner
            ? sql`SELECT * FROM payment_intents WHERE id = ${id}
                AND merchant_id = ${owner.merchantId} AND livemode = ${owner.livemode}${lock()}`
            : sql`SELECT * FROM payment_intents WHERE id = ${id}${lock()}`,
        ),
      liveByOrder: (merchantId, livemode, orderId) =>
        row(
          ex,
          c,
          sql`SELECT * FROM payment_intents
            WHERE merchant_id = ${merchantId} AND livemode = ${livemode} AND order_id = ${orderId}
              AND status NOT IN ('failed', 'canceled', 'expired')`,
        ),
      list: (f) => {
        const k = keyset('created_at', 'id', f);
        return rows(
          ex,
          c,
          sql`SELECT * FROM payment_intents i WHERE ${sql.and([
            sql`i.merchant_id = ${f.merchantId} AND i.livemode = ${f.livemode}`,
            f.status && sql`i.status = ${f.status}`,
            f.orderId && sql`i.order_id = ${f.orderId}`,
            f.currency && sql`i.currency = ${f.currency}`,
            f.amountGte !== undefined && sql`i.amount >= ${f.amountGte}`,
            f.amountLte !== undefined && sql`i.amount <= ${f.amountLte}`,
            // The latest attempt, by its primary key: one lookup per intent the list walks.
            f.methodType &&
              sql`EXISTS (SELECT 1 FROM payment_attempts a
                WHERE a.id = i.latest_attempt_id AND a.method_type = ${f.methodType})`,
            f.createdGte !== undefined && sql`i.created_at >= ${f.createdGte}`,
            f.createdLte !== undefined && sql`i.created_at <= ${f.createdLte}`,
            k.where,
          ])} ORDER BY ${k.order} LIMIT ${f.limit}`,
        ).then(k.flip);
      },
      // Literal statuses: with bound parameters SQLite cannot use the partial index and
      // scans the whole table, on every sweep.
      staleAuthorizations: (before, limit) =>
        rows(
          ex,
          c,
          sql`SELECT * FROM payment_intents
            WHERE status = 'requires_capture' AND updated_at <= ${before} AND operation IS NULL
            ORDER BY updated_at LIMIT ${limit}`,
        ),
      expiredOpen: (now, limit) =>
        rows(
          ex,
          c,
          sql`SELECT * FROM payment_intents
            WHERE status IN ('requires_payment_method', 'requires_action') AND expires_at <= ${now}
            ORDER BY expires_at LIMIT ${limit}`,
        ),
    },
    write: {
      insert: async (r) => (await ex.run(...insertSql(c, r, { ignoreConflict: true }).args)) === 1,
      update: async (id, from, patch) => {
        const q = updateSql(c, patch, { id, status: from });
        const moved = q !== null && (await ex.run(q.text, q.params)) === 1;
        if (moved) ex.commit.intentChanged(id);
        return moved;
      },
      advance: async (id, from, patch, moved) => {
        const q = updateSql(c, patch, { id, status: from });
        if (!q) return;
        ex.sendExpectingOne(q.text, q.params, moved);
        ex.commit.intentChanged(id);
      },
      claimOperation: async (id, operation, status, now) =>
        (await ex.run(
          ...sql`UPDATE payment_intents SET operation = ${operation}, updated_at = ${now}
            WHERE id = ${id} AND status = ${status}
              AND (operation IS NULL OR operation = ${operation})`.args,
        )) === 1,
      releaseOperation: async (id, operation) => {
        await ex.run(
          ...sql`UPDATE payment_intents SET operation = NULL
            WHERE id = ${id} AND operation = ${operation}`.args,
        );
      },
    },
  };
});
