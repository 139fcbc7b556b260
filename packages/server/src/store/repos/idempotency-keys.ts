import { insertSql, row, sql, update } from '../executor.ts';
import type { IdempotencyRow } from '../rows.ts';
import { repository } from './repository.ts';

export interface IdempotencyReads {
  get(scope: string, key: string): Promise<IdempotencyRow | null>;
}

export interface IdempotencyWrites {
  /** Inserts a running key; false if the key already exists. */
  claim(row: IdempotencyRow): Promise<boolean>;
  /** Records the object a running request committed, in that same transaction; false
   * when the request no longer holds the key (another took it over). */
  bind(scope: string, key: string, token: string, objectId: string): Promise<boolean>;
  /** Updates the key only while `token` still holds it (a takeover passes a new token);
   * false if the key moved meanwhile. */
  updateHeld(
    scope: string,
    key: string,
    token: string,
    patch: Partial<Omit<IdempotencyRow, 'merchantId' | 'key'>>,
  ): Promise<boolean>;
  deleteHeld(scope: string, key: string, token: string): Promise<void>;
  /** Drops keys past their expiry; how many. */
  purge(now: number): Promise<number>;
}

/** Idempotency keys, by scope (merchant, mode and kind of key) and key. */
export const idempotencyRepository = repository<IdempotencyReads, IdempotencyWrites>((ex, d) => {
  const c = d.codecs.idempotency;
  return {
    read: {
      get: (scope, key) =>
        row(
          ex,
          c,
          sql`SELECT * FROM idempotency_keys WHERE merchant_id = ${scope} AND key = ${key}`,
        ),
    },
    write: {
      claim: async (r) => (await ex.run(...insertSql(c, r, { ignoreConflict: true }).args)) === 1,
      bind: async (scope, key, token, objectId) =>
        (await ex.run(
          ...sql`UPDATE idempotency_keys SET object_id = ${objectId}
            WHERE merchant_id = ${scope} AND key = ${key} AND token = ${token}
              AND status = 'running' AND (object_id IS NULL OR object_id = ${objectId})`.args,
        )) === 1,
      updateHeld: async (scope, key, token, patch) =>
        (await update(ex, c, patch, { merchantId: scope, key, token })) === 1,
      deleteHeld: async (scope, key, token) => {
        await ex.run(
          ...sql`DELETE FROM idempotency_keys
            WHERE merchant_id = ${scope} AND key = ${key} AND token = ${token}`.args,
        );
      },
      purge: (now) => ex.run(...sql`DELETE FROM idempotency_keys WHERE expires_at <= ${now}`.args),
    },
  };
});
