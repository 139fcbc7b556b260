import { configKeys } from '../config-cache.ts';
import { insertSql, row, sql, update } from '../executor.ts';
import type { MerchantRow } from '../rows.ts';
import { repository, throughCache } from './repository.ts';

export interface MerchantReads {
  get(id: string): Promise<MerchantRow | null>;
}

export interface MerchantWrites {
  insert(row: MerchantRow): Promise<void>;
  /** A merchant's name, allowed origins or UPI collect setting, as configured again. */
  update(
    id: string,
    patch: Partial<Pick<MerchantRow, 'name' | 'allowedOrigins' | 'upiCollect'>>,
  ): Promise<void>;
}

export const merchantsRepository = repository<MerchantReads, MerchantWrites>((ex, d, cache) => {
  const c = d.codecs.merchants;
  return {
    read: {
      get: (id) =>
        throughCache(ex, cache, configKeys.merchant(id), () =>
          row(ex, c, sql`SELECT * FROM merchants WHERE id = ${id}`),
        ),
    },
    write: {
      insert: async (r) => {
        await ex.run(...insertSql(c, r).args);
        ex.commit.configChanged();
      },
      update: async (id, patch) => {
        await update(ex, c, patch, { id });
        ex.commit.configChanged();
      },
    },
  };
});
