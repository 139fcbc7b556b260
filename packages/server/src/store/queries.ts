import {
  and,
  asc,
  type Column,
  desc,
  eq,
  gt,
  gte,
  isNull,
  like,
  lt,
  lte,
  ne,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type {
  EventListFilter,
  IntentListFilter,
  Keyset,
  OverviewFilter,
  PageWindow,
} from './types.ts';

/**
 * The list queries' conditions, the same for both dialects: each store passes its own
 * table's columns (drizzle's operators take a column of either).
 */

/** An attempt that is not one the shopper left (a decline, not a change of mind). */
export const notLeft = (t: { declineCode: Column }) =>
  or(isNull(t.declineCode), ne(t.declineCode, 'abandoned'));

/** A merchant's rows of one mode. */
export const ownedBy = (
  t: { merchantId: Column; livemode: Column },
  f: { merchantId: string; livemode: boolean },
) => and(eq(t.merchantId, f.merchantId), eq(t.livemode, f.livemode));

export function intentFilter(
  t: {
    merchantId: Column;
    livemode: Column;
    status: Column;
    orderId: Column;
    currency: Column;
    amount: Column;
    latestAttemptId: Column;
    createdAt: Column;
  },
  attempts: { id: Column; methodType: Column },
  f: IntentListFilter,
): SQL | undefined {
  const conds: (SQL | undefined)[] = [ownedBy(t, f)];
  if (f.status) conds.push(eq(t.status, f.status));
  if (f.orderId) conds.push(eq(t.orderId, f.orderId));
  if (f.currency) conds.push(eq(t.currency, f.currency));
  if (f.amountGte !== undefined) conds.push(gte(t.amount, f.amountGte));
  if (f.amountLte !== undefined) conds.push(lte(t.amount, f.amountLte));
  if (f.methodType) {
    // The latest attempt, by its primary key: one lookup per intent the list walks.
    conds.push(
      sql`exists (select 1 from ${attempts} where ${attempts.id} = ${t.latestAttemptId} and ${attempts.methodType} = ${f.methodType})`,
    );
  }
  if (f.createdGte !== undefined) conds.push(gte(t.createdAt, f.createdGte));
  if (f.createdLte !== undefined) conds.push(lte(t.createdAt, f.createdLte));
  return and(...conds);
}

export function eventFilter(
  t: {
    merchantId: Column;
    livemode: Column;
    type: Column;
    objectId: Column;
    createdAt: Column;
    seq: Column;
  },
  f: EventListFilter,
): SQL | undefined {
  const conds: (SQL | undefined)[] = [ownedBy(t, f)];
  if (f.typePattern && f.typePattern !== '*') {
    conds.push(
      f.typePattern.endsWith('.*')
        ? like(t.type, `${f.typePattern.slice(0, -1)}%`)
        : eq(t.type, f.typePattern),
    );
  }
  if (f.objectId) conds.push(eq(t.objectId, f.objectId));
  if (f.createdGte !== undefined) conds.push(gte(t.createdAt, f.createdGte));
  if (f.createdLte !== undefined) conds.push(lte(t.createdAt, f.createdLte));
  if (f.after !== undefined) conds.push(lt(t.seq, f.after));
  if (f.before !== undefined) conds.push(gt(t.seq, f.before));
  return and(...conds);
}

/**
 * One newest-first page over (createdAt, id): the window's condition, its order, and
 * `flip` to turn a `before` page (read oldest first, next to the cursor) newest first.
 */
export function keyset(created: Column, id: Column, w: PageWindow<Keyset>) {
  // The plain bound on `created` comes first: with it the database starts the index walk
  // at the cursor; the OR alone made it read every newer row first (400 ms a page a
  // million rows down, in the bench).
  const past = (k: Keyset) =>
    and(
      lte(created, k.createdAt),
      or(lt(created, k.createdAt), and(eq(created, k.createdAt), lt(id, k.id))),
    );
  const later = (k: Keyset) =>
    and(
      gte(created, k.createdAt),
      or(gt(created, k.createdAt), and(eq(created, k.createdAt), gt(id, k.id))),
    );
  return {
    where: w.after ? past(w.after) : w.before ? later(w.before) : undefined,
    order: w.before ? [asc(created), asc(id)] : [desc(created), desc(id)],
    flip: <T>(rows: T[]) => (w.before ? rows.reverse() : rows),
  };
}

/** Endpoints one job claim visits at most; the next claim carries on from the last. */
export const MAX_CLAIM_KEYS = 256;

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
 * committing meanwhile is seen whole or not at all). `live` as the dialect stores it. */
export function overviewIntentsSql(f: OverviewFilter, live: unknown): SQL {
  const { hours, edges } = overviewSpans(f);
  const b = f.bucketMs;
  const owner = sql`merchant_id = ${f.merchantId} AND livemode = ${live}`;
  const parts: SQL[] = [];
  if (hours) {
    for (const table of ['intent_stats_hourly', 'intent_stats_changes']) {
      parts.push(sql`SELECT hour - (hour % ${b}) AS bucket, currency, count, succeeded, volume
        FROM ${sql.identifier(table)}
        WHERE ${owner} AND hour >= ${hours[0]} AND hour < ${hours[1]}`);
    }
  }
  for (const [from, to] of edges) {
    parts.push(sql`SELECT created_at - (created_at % ${b}) AS bucket, currency, 1 AS count,
        CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END AS succeeded, amount_received AS volume
      FROM payment_intents WHERE ${owner} AND created_at >= ${from} AND created_at <= ${to}`);
  }
  return sql`SELECT bucket, currency, sum(count) AS count, sum(succeeded) AS succeeded,
      sum(volume) AS volume
    FROM (${sql.join(parts, sql` UNION ALL `)}) AS t
    GROUP BY bucket, currency ORDER BY bucket, currency`;
}

/** The overview's attempts by status, method and decline code ('' for none), likewise. */
export function overviewAttemptsSql(f: OverviewFilter, live: unknown): SQL {
  const { hours, edges } = overviewSpans(f);
  const parts: SQL[] = [];
  if (hours) {
    for (const table of ['attempt_stats_hourly', 'attempt_stats_changes']) {
      parts.push(sql`SELECT status, method, decline_code, count FROM ${sql.identifier(table)}
        WHERE merchant_id = ${f.merchantId} AND livemode = ${live}
          AND hour >= ${hours[0]} AND hour < ${hours[1]}`);
    }
  }
  for (const [from, to] of edges) {
    parts.push(sql`SELECT a.status, a.method_type AS method,
        coalesce(a.decline_code, '') AS decline_code, 1 AS count
      FROM payment_attempts a JOIN payment_intents i ON i.id = a.intent_id
      WHERE a.merchant_id = ${f.merchantId} AND i.livemode = ${live}
        AND a.created_at >= ${from} AND a.created_at <= ${to}`);
  }
  return sql`SELECT status, method, decline_code AS "declineCode", sum(count) AS count
    FROM (${sql.join(parts, sql` UNION ALL `)}) AS t
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
