import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  /** Mean latency in ms, to a hundredth (autocannon's percentiles are whole ms). */
  mean: number;
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
    mean: r.latency.mean,
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

export interface Measured {
  /** Medians over the rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** CPU of the measured process(es) per request, in ms (user + system). */
  cpuMs: number;
  /** CPU of every PostgreSQL process per request, in ms, when asked for. */
  dbCpuMs: number | null;
  requests: number;
  errors: number;
  rounds: { rps: number; p99: number; cpuMs: number; dbCpuMs: number | null }[];
}

/**
 * A warm-up that is thrown away, then `rounds` timed rounds of the same load; the figures
 * are the rounds' medians. `cpu` reads the server's CPU time (ms) around each round, and
 * `dbCpu` PostgreSQL's, so that each request's cost is measured, not inferred.
 */
export async function measure(opts: {
  run: (seconds: number) => Promise<LoadResult>;
  warmSeconds: number;
  seconds: number;
  rounds: number;
  cpu: () => number;
  dbCpu?: () => number;
}): Promise<Measured> {
  if (opts.warmSeconds > 0) await opts.run(opts.warmSeconds);
  const rounds: Measured['rounds'] = [];
  let requests = 0;
  let errors = 0;
  const p50s: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    const cpu0 = opts.cpu();
    const db0 = opts.dbCpu?.() ?? 0;
    const r = await opts.run(opts.seconds);
    const cpu = (opts.cpu() - cpu0) / Math.max(1, r.requests);
    const db = opts.dbCpu ? (opts.dbCpu() - db0) / Math.max(1, r.requests) : null;
    rounds.push({ rps: r.rps, p99: r.p99, cpuMs: cpu, dbCpuMs: db });
    p50s.push(r.p50);
    requests += r.requests;
    errors += r.errors;
  }
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(p50s),
    p99: median(rounds.map((r) => r.p99)),
    cpuMs: median(rounds.map((r) => r.cpuMs)),
    dbCpuMs: opts.dbCpu ? median(rounds.map((r) => r.dbCpuMs as number)) : null,
    requests,
    errors,
    rounds,
  };
}
