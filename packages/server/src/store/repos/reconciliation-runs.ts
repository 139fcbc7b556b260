import { insertSql, row, rows, sql } from '../executor.ts';
import type { OwnerFilter, PageWindow, ReconciliationRunRow } from '../rows.ts';
import { keyset } from './paging.ts';
import { repository } from './repository.ts';

export interface ReconciliationRunReads {
  get(id: string, owner?: OwnerFilter): Promise<ReconciliationRunRow | null>;
  list(filter: OwnerFilter & PageWindow): Promise<ReconciliationRunRow[]>;
  /** The newest run of a date for a merchant, or (null) over every merchant. */
  find(date: string, merchantId: string | null): Promise<ReconciliationRunRow | null>;
}

export interface ReconciliationRunWrites {
  insert(row: ReconciliationRunRow): Promise<void>;
}

export const reconciliationRunsRepository = repository<
  ReconciliationRunReads,
  ReconciliationRunWrites
>((ex, d) => {
  const c = d.codecs.reconciliation;
  return {
    read: {
      get: (id, owner) =>
        row(
          ex,
          c,
          owner
            ? sql`SELECT * FROM reconciliation_runs WHERE id = ${id}
                AND merchant_id = ${owner.merchantId} AND livemode = ${owner.livemode}`
            : sql`SELECT * FROM reconciliation_runs WHERE id = ${id}`,
        ),
      list: (f) => {
        const k = keyset('created_at', 'id', f);
        return rows(
          ex,
          c,
          sql`SELECT * FROM reconciliation_runs WHERE ${sql.and([
            sql`merchant_id = ${f.merchantId} AND livemode = ${f.livemode}`,
            k.where,
          ])} ORDER BY ${k.order} LIMIT ${f.limit}`,
        ).then(k.flip);
      },
      find: (date, merchantId) =>
        row(
          ex,
          c,
          sql`SELECT * FROM reconciliation_runs WHERE date = ${date} AND ${
            merchantId === null ? sql`merchant_id IS NULL` : sql`merchant_id = ${merchantId}`
          } ORDER BY created_at DESC LIMIT 1`,
        ),
    },
    write: {
      insert: async (r) => {
        await ex.run(...insertSql(c, r).args);
      },
    },
  };
});
