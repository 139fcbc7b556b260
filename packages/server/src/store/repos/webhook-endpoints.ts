import { configKeys } from '../config-cache.ts';
import { insertSql, row, rows, sql, update } from '../executor.ts';
import type { OwnerFilter, PageWindow, Patch, WebhookEndpointRow } from '../rows.ts';
import { keyset } from './paging.ts';
import { repository, throughCache } from './repository.ts';

export interface WebhookEndpointReads {
  /** A live (undeleted) endpoint. */
  get(id: string, owner?: OwnerFilter): Promise<WebhookEndpointRow | null>;
  /** All of a merchant's live endpoints of a mode, oldest first (cached: see
   * config-cache.ts). */
  live(merchantId: string, livemode: boolean): Promise<WebhookEndpointRow[]>;
  page(filter: OwnerFilter & PageWindow): Promise<WebhookEndpointRow[]>;
}

export interface WebhookEndpointWrites {
  insert(row: WebhookEndpointRow): Promise<void>;
  update(id: string, patch: Patch<WebhookEndpointRow>): Promise<void>;
}

export const webhookEndpointsRepository = repository<WebhookEndpointReads, WebhookEndpointWrites>(
  (ex, d, cache) => {
    const c = d.codecs.endpoints;
    return {
      read: {
        get: (id, owner) =>
          row(
            ex,
            c,
            owner
              ? sql`SELECT * FROM webhook_endpoints WHERE id = ${id} AND deleted_at IS NULL
                  AND merchant_id = ${owner.merchantId} AND livemode = ${owner.livemode}`
              : sql`SELECT * FROM webhook_endpoints WHERE id = ${id} AND deleted_at IS NULL`,
          ),
        live: (merchantId, livemode) =>
          throughCache(ex, cache, configKeys.endpoints(merchantId, livemode), () =>
            rows(
              ex,
              c,
              sql`SELECT * FROM webhook_endpoints
                WHERE merchant_id = ${merchantId} AND livemode = ${livemode} AND deleted_at IS NULL
                ORDER BY created_at, id`,
            ),
          ),
        page: (f) => {
          const k = keyset('created_at', 'id', f);
          return rows(
            ex,
            c,
            sql`SELECT * FROM webhook_endpoints WHERE ${sql.and([
              sql`merchant_id = ${f.merchantId} AND livemode = ${f.livemode} AND deleted_at IS NULL`,
              k.where,
            ])} ORDER BY ${k.order} LIMIT ${f.limit}`,
          ).then(k.flip);
        },
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
  },
);
