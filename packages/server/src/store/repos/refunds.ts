import { insertSql, row, rows, sql, update } from '../executor.ts';
import type { IntentRow, OwnerFilter, PageWindow, Patch, RefundRow } from '../rows.ts';
import { keyset } from './paging.ts';
import { repository } from './repository.ts';

export interface RefundReads {
  get(id: string, owner?: OwnerFilter): Promise<RefundRow | null>;
  list(filter: OwnerFilter & { intentId?: string } & PageWindow): Promise<RefundRow[]>;
  /** The refund a processor's refund id belongs to. */
  byReference(processorReference: string): Promise<RefundRow | null>;
}

export interface RefundWrites {
  insert(row: RefundRow): Promise<void>;
  /** Writes `patch` only if the refund is still in status `from`; false if it moved (a
   * webhook and the job settling it at once: one of them wins). */
  update(id: string, from: RefundRow['status'], patch: Patch<RefundRow>): Promise<boolean>;
  /** Adds `amount` to the intent's refunded amount in one statement, only if it succeeded
   * and that much is still unrefunded; the intent as it now is, or null. */
  reserve(intentId: string, amount: number, now: number): Promise<IntentRow | null>;
  /** Gives a failed refund's amount back to the intent (never below zero). */
  giveBack(intentId: string, amount: number, now: number): Promise<void>;
}

export const refundsRepository = repository<RefundReads, RefundWrites>((ex, d) => {
  const c = d.codecs.refunds;
  return {
    read: {
      get: (id, owner) =>
        row(
          ex,
          c,
          owner
            ? sql`SELECT * FROM refunds WHERE id = ${id}
                AND merchant_id = ${owner.merchantId} AND livemode = ${owner.livemode}`
            : sql`SELECT * FROM refunds WHERE id = ${id}`,
        ),
      list: (f) => {
        const k = keyset('created_at', 'id', f);
        return rows(
          ex,
          c,
          sql`SELECT * FROM refunds WHERE ${sql.and([
            sql`merchant_id = ${f.merchantId} AND livemode = ${f.livemode}`,
            f.intentId && sql`intent_id = ${f.intentId}`,
            k.where,
          ])} ORDER BY ${k.order} LIMIT ${f.limit}`,
        ).then(k.flip);
      },
      byReference: (reference) =>
        row(ex, c, sql`SELECT * FROM refunds WHERE processor_reference = ${reference}`),
    },
    write: {
      insert: async (r) => {
        await ex.run(...insertSql(c, r).args);
      },
      update: async (id, from, patch) => (await update(ex, c, patch, { id, status: from })) === 1,
      reserve: (intentId, amount, now) =>
        row(
          ex,
          d.codecs.intents,
          sql`UPDATE payment_intents
            SET amount_refunded = amount_refunded + ${amount}, updated_at = ${now}
            WHERE id = ${intentId} AND status = 'succeeded'
              AND amount_received - amount_refunded >= ${amount}
            RETURNING *`,
        ),
      giveBack: async (intentId, amount, now) => {
        await ex.run(
          ...sql`UPDATE payment_intents
            SET amount_refunded = ${sql.raw(d.greatest)}(0, amount_refunded - ${amount}),
              updated_at = ${now}
            WHERE id = ${intentId}`.args,
        );
      },
    },
  };
});
