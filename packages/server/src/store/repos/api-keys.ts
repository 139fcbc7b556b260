import { configKeys } from '../config-cache.ts';
import { insertSql, row, rows, sql } from '../executor.ts';
import type { ApiKeyRow } from '../rows.ts';
import { repository, throughCache } from './repository.ts';

export interface ApiKeyReads {
  bySecretHash(hash: string): Promise<ApiKeyRow | null>;
  byPublishable(key: string): Promise<ApiKeyRow | null>;
  /** A merchant's keys of a mode, newest first (revoked ones too). */
  list(merchantId: string, livemode: boolean): Promise<ApiKeyRow[]>;
  /** The merchant's newest unrevoked secret key of a mode. */
  activeSecret(merchantId: string, livemode: boolean): Promise<ApiKeyRow | null>;
}

export interface ApiKeyWrites {
  insert(row: ApiKeyRow): Promise<void>;
  /** Ends a key at `at` (now, or later: a grace period) if nothing ended it yet; false if
   * it was already ended (another roll won). */
  revoke(id: string, at: number): Promise<boolean>;
  /** Brings a key's expiry forward to `at` (never later than it already is): "expire now"
   * for a rolled key still in its grace period, or for the current one. */
  expire(id: string, at: number): Promise<boolean>;
}

export const apiKeysRepository = repository<ApiKeyReads, ApiKeyWrites>((ex, d, cache) => {
  const c = d.codecs.apiKeys;
  const changed = (n: number) => {
    if (n > 0) ex.commit.configChanged();
    return n === 1;
  };
  return {
    read: {
      bySecretHash: (hash) =>
        throughCache(ex, cache, configKeys.secretKey(hash), () =>
          row(ex, c, sql`SELECT * FROM api_keys WHERE secret_hash = ${hash}`),
        ),
      byPublishable: (key) =>
        throughCache(ex, cache, configKeys.publishableKey(key), () =>
          row(ex, c, sql`SELECT * FROM api_keys WHERE publishable_key = ${key}`),
        ),
      list: (merchantId, livemode) =>
        rows(
          ex,
          c,
          sql`SELECT * FROM api_keys WHERE merchant_id = ${merchantId} AND livemode = ${livemode}
            ORDER BY created_at DESC, id DESC`,
        ),
      activeSecret: (merchantId, livemode) =>
        throughCache(ex, cache, configKeys.activeSecretKey(merchantId, livemode), () =>
          row(
            ex,
            c,
            sql`SELECT * FROM api_keys WHERE merchant_id = ${merchantId} AND livemode = ${livemode}
              AND kind = 'secret' AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1`,
          ),
        ),
    },
    write: {
      insert: async (r) => {
        await ex.run(...insertSql(c, r).args);
        ex.commit.configChanged();
      },
      revoke: async (id, at) =>
        changed(
          await ex.run(
            ...sql`UPDATE api_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`
              .args,
          ),
        ),
      expire: async (id, at) =>
        changed(
          await ex.run(
            ...sql`UPDATE api_keys SET revoked_at = ${at}
              WHERE id = ${id} AND (revoked_at IS NULL OR revoked_at > ${at})`.args,
          ),
        ),
    },
  };
});
