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
import type { EventListFilter, IntentListFilter, Keyset, PageWindow } from './types.ts';

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
