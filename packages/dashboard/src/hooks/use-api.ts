import { useEffect, useRef, useState } from 'preact/hooks';
import { type Answer, api } from '../api.ts';

/** What went wrong, in words for the page (the page's own reading of a 400, or the usual). */
export type Explain = (failed: Extract<Answer<unknown>, { ok: false }>) => string;

/**
 * A GET of the dashboard API, read again whenever `deps` change (the address, the mode):
 * the answer, or what went wrong, and `reload` after a change. While a new read loads,
 * both are null; a reload keeps what is shown until the fresh answer arrives. Every page
 * reads through this: one way to load, to fail and to say so.
 *
 * @example
 * const { data, error } = useApi<List<Payment>>(`/payments${q}`, [url.search, ctx.mode], explain);
 */
export function useApi<T>(path: string | null, deps: readonly unknown[], explain: Explain) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const shownFor = useRef<string | null>(null);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    if (shownFor.current !== path) {
      shownFor.current = path;
      setData(null);
    }
    setError(null);
    api<T>('GET', path).then((a) => {
      if (!current) return;
      if (a.ok) setData(a.data);
      else setError(explain(a));
    });
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return { data, error, reload: () => setRound((r) => r + 1) };
}

/** The usual words for a failed call: the network, or something else. */
export const usual =
  (t: { networkError: string; somethingWrong: string }): Explain =>
  (a) =>
    a.status === 0 ? t.networkError : t.somethingWrong;
