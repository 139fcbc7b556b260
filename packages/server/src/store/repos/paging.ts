import type { Keyset, PageWindow } from '../rows.ts';
import { type Sql, sql } from '../sql.ts';

/**
 * One newest-first page over (created, id): the window's condition, its order, and `flip`
 * to turn a `before` page (read oldest first, next to the cursor) newest first.
 */
export function keyset(created: string, id: string, w: PageWindow<Keyset>) {
  // The plain bound on `created` comes first: with it the database starts the index walk
  // at the cursor; the OR alone made it read every newer row first (400 ms a page a
  // million rows down, in the bench).
  const c = sql.raw(created);
  const i = sql.raw(id);
  const where: Sql | undefined = w.after
    ? sql`${c} <= ${w.after.createdAt} AND (${c} < ${w.after.createdAt} OR (${c} = ${w.after.createdAt} AND ${i} < ${w.after.id}))`
    : w.before
      ? sql`${c} >= ${w.before.createdAt} AND (${c} > ${w.before.createdAt} OR (${c} = ${w.before.createdAt} AND ${i} > ${w.before.id}))`
      : undefined;
  return {
    where,
    order: sql.raw(w.before ? `${created} ASC, ${id} ASC` : `${created} DESC, ${id} DESC`),
    flip: <T>(rows: T[]) => (w.before ? rows.reverse() : rows),
  };
}
