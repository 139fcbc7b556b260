import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

/** One autocannon run. `next` builds each request (path and body) when given. */
export async function load(opts: {
  url: string;
  connections: number;
  seconds?: number;
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  next?: () => { path?: string; body?: string };
}): Promise<LoadResult> {
  const started = Date.now();
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 5 }),
    method: opts.method ?? 'GET',
    headers: opts.headers,
    requests: opts.next
      ? [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const n = opts.next?.() ?? {};
              return {
                ...req,
                ...(n.path ? { path: n.path } : {}),
                ...(n.body ? { body: n.body } : {}),
              };
            },
          },
        ]
      : undefined,
  } as autocannon.Options);
  const elapsed = (Date.now() - started) / 1000;
  const total = r.requests.total;
  return {
    rps: opts.amount ? total / elapsed : r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: total,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}
