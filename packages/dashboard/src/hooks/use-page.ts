import { go } from '../router.ts';

/**
 * Newest-first pages by cursor, kept in the address (`after` or `before` an id), as /v1's
 * lists page: which way a pager may move, and moving there.
 */
export function usePage(url: URL, list: { data: { id: string }[]; has_more: boolean } | null) {
  const p = url.searchParams;
  const rows = list?.data ?? [];
  const first = rows[0];
  const last = rows[rows.length - 1];
  const paged = p.has('after') || p.has('before');
  const move = (dir: 'after' | 'before', id: string) => {
    const next = new URLSearchParams(p);
    next.delete('after');
    next.delete('before');
    next.set(dir, id);
    go(`${url.pathname}?${next}`);
  };
  return {
    /** Whether there is anything to page through at all. */
    shown: !!list && (paged || list.has_more),
    newer:
      !paged || !first || (p.has('before') && !list?.has_more)
        ? null
        : () => move('before', first.id),
    older: !last || (!list?.has_more && !p.has('before')) ? null : () => move('after', last.id),
  };
}
