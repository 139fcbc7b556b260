import type { List, PageQuery } from '@kassa/protocol';
import type { PageWindow } from '../store/types.ts';
import { ApiError } from './api-error.ts';

/**
 * One page of any list, with Stripe's cursor semantics: newest first, `starting_after`
 * for older objects, `ending_before` for newer ones, `has_more` from reading one more
 * row than asked for. `key` finds the cursor among the caller's own objects (null when
 * it is not one of them: a 400 naming the parameter); `rows` reads one window.
 */
export async function paginate<Row, K>(
  q: PageQuery,
  object: string,
  key: (id: string) => Promise<K | null>,
  rows: (window: PageWindow<K>) => Promise<Row[]>,
): Promise<{ rows: Row[]; hasMore: boolean }> {
  const param = q.starting_after ? 'starting_after' : 'ending_before';
  const cursorId = q.starting_after ?? q.ending_before;
  const cursor = cursorId ? await key(cursorId) : null;
  if (cursorId && cursor === null) {
    throw new ApiError(400, 'parameter_invalid', `No such ${object}: '${cursorId}'`, { param });
  }
  const read = await rows({
    after: q.starting_after ? (cursor ?? undefined) : undefined,
    before: q.ending_before ? (cursor ?? undefined) : undefined,
    limit: q.limit + 1,
  });
  const hasMore = read.length > q.limit;
  // A `before` window comes newest first, so its extra row is the first one.
  const page = q.ending_before ? read.slice(hasMore ? 1 : 0) : read.slice(0, q.limit);
  return { rows: page, hasMore };
}

/** The wire form of a page. */
export const toList = <Row, T>(
  page: { rows: Row[]; hasMore: boolean },
  toObject: (row: Row) => T,
): List<T> => ({ object: 'list', data: page.rows.map(toObject), has_more: page.hasMore });

/** A `created[…]` bound in Unix seconds as milliseconds (`lte` bounds add 999). */
export const secondsToMs = (seconds: number | undefined, extra = 0) =>
  seconds === undefined ? undefined : seconds * 1000 + extra;
