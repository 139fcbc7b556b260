import type { OverviewFilter, OverviewRows } from '../rows.ts';
import { type Sql, sql } from '../sql.ts';
import { repository } from './repository.ts';

export const HOUR_MS = 3_600_000;

/**
 * The overview's range split in two: the whole hours inside it, read from the hourly
 * rollup (and the changes not yet folded into it), and the parts of an hour at either end,
 * read from the rows themselves. Everything from the rows when the buckets are not whole
 * hours or the range holds no whole hour.
 */
export function overviewSpans(f: { from: number; to: number; bucketMs: number }) {
  const start = Math.ceil(f.from / HOUR_MS) * HOUR_MS;
  const end = Math.floor((f.to + 1) / HOUR_MS) * HOUR_MS;
  if (f.bucketMs % HOUR_MS !== 0 || start >= end) {
    return { hours: null, edges: [[f.from, f.to]] as [number, number][] };
  }
  const edges: [number, number][] = [];
  if (f.from < start) edges.push([f.from, start - 1]);
  if (end <= f.to) edges.push([end, f.to]);
  return { hours: [start, end] as [number, number], edges };
}

/** The overview's intents per bucket and currency, in one statement (one snapshot: a fold
 * committing meanwhile is seen whole or not at all). */
function intentsSql(f: OverviewFilter): Sql {
  const { hours, edges } = overviewSpans(f);
  const b = f.bucketMs;
  const owner = sql`merchant_id = ${f.merchantId} AND livemode = ${f.livemode}`;
  const parts: Sql[] = [];
  if (hours) {
    for (const table of ['intent_stats_hourly', 'intent_stats_changes']) {
      parts.push(sql`SELECT hour - (hour % ${b}) AS bucket, currency, count, succeeded, volume
        FROM ${sql.raw(table)} WHERE ${owner} AND hour >= ${hours[0]} AND hour < ${hours[1]}`);
    }
  }
  for (const [from, to] of edges) {
    parts.push(sql`SELECT created_at - (created_at % ${b}) AS bucket, currency, 1 AS count,
        CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END AS succeeded, amount_received AS volume
      FROM payment_intents WHERE ${owner} AND created_at >= ${from} AND created_at <= ${to}`);
  }
  return sql`SELECT bucket, currency, sum(count) AS count, sum(succeeded) AS succeeded,
      sum(volume) AS volume
    FROM (${sql.join(parts, ' UNION ALL ')}) AS t
    GROUP BY bucket, currency ORDER BY bucket, currency`;
}

/** The overview's attempts by status, method and decline code ('' for none), likewise. */
function attemptsSql(f: OverviewFilter): Sql {
  const { hours, edges } = overviewSpans(f);
  const parts: Sql[] = [];
  if (hours) {
    for (const table of ['attempt_stats_hourly', 'attempt_stats_changes']) {
      parts.push(sql`SELECT status, method, decline_code, count FROM ${sql.raw(table)}
        WHERE merchant_id = ${f.merchantId} AND livemode = ${f.livemode}
          AND hour >= ${hours[0]} AND hour < ${hours[1]}`);
    }
  }
  for (const [from, to] of edges) {
    parts.push(sql`SELECT a.status, a.method_type AS method,
        coalesce(a.decline_code, '') AS decline_code, 1 AS count
      FROM payment_attempts a JOIN payment_intents i ON i.id = a.intent_id
      WHERE a.merchant_id = ${f.merchantId} AND i.livemode = ${f.livemode}
        AND a.created_at >= ${from} AND a.created_at <= ${to}`);
  }
  return sql`SELECT status, method, decline_code, sum(count) AS count
    FROM (${sql.join(parts, ' UNION ALL ')}) AS t
    GROUP BY status, method, decline_code HAVING sum(count) <> 0
    ORDER BY status, method, decline_code`;
}

/** The overview's rollups: changes, hourly table, key columns, summed columns. */
export const STAT_TABLES = [
  [
    'intent_stats_changes',
    'intent_stats_hourly',
    ['merchant_id', 'livemode', 'hour', 'currency'],
    ['count', 'succeeded', 'volume'],
  ],
  [
    'attempt_stats_changes',
    'attempt_stats_hourly',
    ['merchant_id', 'livemode', 'hour', 'status', 'method', 'decline_code'],
    ['count'],
  ],
] as const;

export interface OverviewReads {
  /** A merchant's figures for [from, to] of one mode: intents per time bucket and
   * currency, attempts by status, method and decline code, and webhook attempts'
   * latencies and answers (the newest `maxWebhookAttempts`). */
  read(f: OverviewFilter): Promise<OverviewRows>;
}

export interface OverviewWrites {
  /** Folds up to `limit` of the overview's oldest changes (per rollup) into its hourly
   * rows; how many it folded, of the fuller rollup. Safe beside another fold. */
  fold(limit: number): Promise<number>;
}

export const overviewRepository = repository<OverviewReads, OverviewWrites>((ex, d) => ({
  read: {
    read: async (f) => {
      // One after another: one connection runs one statement at a time.
      const intents = await ex.all(...intentsSql(f).args);
      const attempts = await ex.all(...attemptsSql(f).args);
      const webhooks = await ex.all(
        ...sql`SELECT w.latency_ms AS latency_ms, w.response_status AS status
          FROM webhook_endpoints e
          JOIN webhook_deliveries d ON d.endpoint_id = e.id
          JOIN webhook_attempts w ON w.delivery_id = d.id
          WHERE e.merchant_id = ${f.merchantId} AND e.livemode = ${f.livemode}
            AND d.created_at >= ${f.from} AND d.created_at <= ${f.to}
          ORDER BY d.created_at DESC LIMIT ${f.maxWebhookAttempts}`.args,
      );
      return {
        intents: intents.map((r) => ({
          bucket: Number(r.bucket),
          currency: String(r.currency),
          count: Number(r.count),
          succeeded: Number(r.succeeded),
          volume: Number(r.volume),
        })),
        attempts: attempts.map((r) => ({
          status: String(r.status),
          method: String(r.method),
          declineCode: r.decline_code ? String(r.decline_code) : null,
          count: Number(r.count),
        })),
        webhooks: webhooks.map((r) => ({
          latencyMs: Number(r.latency_ms),
          status: r.status === null ? null : Number(r.status),
        })),
      };
    },
  },
  write: {
    fold: (limit) => d.foldStats(ex, limit),
  },
}));
