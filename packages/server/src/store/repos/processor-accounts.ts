import { configKeys } from '../config-cache.ts';
import { row, rows, sql } from '../executor.ts';
import type { ProcessorAccountRow } from '../rows.ts';
import { repository, throughCache } from './repository.ts';

export interface ProcessorAccountReads {
  get(id: string): Promise<ProcessorAccountRow | null>;
  /** A merchant's accounts, or (null) every merchant's: for start's checks and reports. */
  list(merchantId: string | null): Promise<ProcessorAccountRow[]>;
}

export interface ProcessorAccountWrites {
  /** Adds the merchant's account at a processor for that mode, or replaces its
   * credentials (keeping its id and creation time); returns the stored row. */
  save(row: ProcessorAccountRow): Promise<ProcessorAccountRow>;
}

export const processorAccountsRepository = repository<
  ProcessorAccountReads,
  ProcessorAccountWrites
>((ex, d, cache) => {
  const c = d.codecs.accounts;
  return {
    read: {
      get: (id) => row(ex, c, sql`SELECT * FROM processor_accounts WHERE id = ${id}`),
      list: (merchantId) =>
        merchantId === null
          ? rows(ex, c, sql`SELECT * FROM processor_accounts ORDER BY created_at`)
          : throughCache(ex, cache, configKeys.accounts(merchantId), () =>
              rows(
                ex,
                c,
                sql`SELECT * FROM processor_accounts WHERE merchant_id = ${merchantId} ORDER BY created_at`,
              ),
            ),
    },
    write: {
      save: async (r) => {
        const saved = await row(
          ex,
          c,
          sql`INSERT INTO processor_accounts
              (id, merchant_id, processor, livemode, sealed, hints, created_at, updated_at)
            VALUES (${r.id}, ${r.merchantId}, ${r.processor}, ${r.livemode}, ${r.sealed},
              ${c.encode('hints', r.hints)}, ${r.createdAt}, ${r.updatedAt})
            ON CONFLICT (merchant_id, processor, livemode) DO UPDATE SET
              sealed = excluded.sealed, hints = excluded.hints, updated_at = excluded.updated_at
            RETURNING *`,
        );
        ex.commit.configChanged();
        return saved as ProcessorAccountRow;
      },
    },
  };
});
