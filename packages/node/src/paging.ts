import type { List } from './types.ts';

/**
 * A list call: await it for one page, or `for await` over it for every object, page by
 * page (newest first), fetching the next page only when the loop gets there.
 *
 * @example
 * const page = await kassa.paymentIntents.list({ limit: 10 });
 * for await (const intent of kassa.paymentIntents.list({ status: 'succeeded' })) { … }
 */
export type ListCall<T> = Promise<List<T>> & AsyncIterable<T>;

export function listCall<T extends { id: string }, P extends { starting_after?: string }>(
  params: P,
  fetchPage: (params: P) => Promise<List<T>>,
): ListCall<T> {
  const first = fetchPage(params);
  // Awaited or iterated, never both: an unawaited first page must not reject unhandled.
  first.catch(() => undefined);
  return Object.assign(first, {
    async *[Symbol.asyncIterator]() {
      let page = await first;
      for (;;) {
        yield* page.data;
        const last = page.data.at(-1);
        if (!page.has_more || !last) return;
        page = await fetchPage({ ...params, starting_after: last.id, ending_before: undefined });
      }
    },
  });
}
