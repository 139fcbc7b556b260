import { createRoute } from '@hono/zod-openapi';
import { overviewQuerySchema, overviewSchema } from '@kassa/protocol/dashboard';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { callerOf } from '../http/caller.ts';
import { errors, json, openApiApp } from '../http/openapi-app.ts';
import type { OverviewRows } from '../store/types.ts';
import { type DashEnv, sessionSecurity } from './session.ts';

/**
 * The overview for a range (Unix seconds; default the last 7 days): volume and count per
 * hour or day, the success rate, decline reasons, the method mix, and webhook delivery
 * latency (p50, p99) with the share of non-2xx answers.
 */
export function overviewRoutes(deps: Deps) {
  const { store, clock } = deps;
  const app = openApiApp<DashEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'dashboardOverview',
      tags: ['Overview'],
      security: sessionSecurity,
      summary: 'Volume, success rate, declines, methods and webhook latency over a range',
      request: { query: overviewQuerySchema },
      responses: { 200: json(overviewSchema, 'The figures'), ...errors(400) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const now = clock.now();
      const q = c.req.valid('query');
      const to = q.to !== undefined ? q.to * 1000 + 999 : now;
      const from = q.from !== undefined ? q.from * 1000 : to - 7 * DAY_MS + 1;
      if (from > to) {
        throw new ApiError(400, 'parameter_invalid', 'from must be before to (Unix seconds).', {
          param: 'from',
        });
      }
      if (to - from > 366 * DAY_MS) {
        throw new ApiError(400, 'parameter_invalid', 'A range of a year at most.', {
          param: 'to',
        });
      }
      const bucketMs =
        q.bucket === 'hour' || (!q.bucket && to - from <= 2 * DAY_MS) ? HOUR_MS : DAY_MS;
      const rows = await store.read((tx) =>
        tx.overview.read({
          merchantId: caller.merchantId,
          livemode: caller.livemode,
          from,
          to,
          bucketMs,
          maxWebhookAttempts: 100_000,
        }),
      );
      return c.json(summarise(rows, { from, to, bucketMs }), 200);
    },
  );
  return app;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The value below which `q` of the sorted values fall (nearest rank). */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ] as number;
}

/** The overview's figures from the store's rows: every bucket of the range present (zeros
 * where nothing happened), the main currency's volume. */
export function summarise(
  rows: OverviewRows,
  range: { from: number; to: number; bucketMs: number },
) {
  const volumeBy = new Map<string, number>();
  for (const r of rows.intents)
    volumeBy.set(r.currency, (volumeBy.get(r.currency) ?? 0) + r.volume);
  const currency =
    [...volumeBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ??
    rows.intents[0]?.currency ??
    null;
  const first = range.from - (range.from % range.bucketMs);
  const buckets: { start: number; count: number; succeeded: number; volume: number }[] = [];
  for (let b = first; b <= range.to; b += range.bucketMs) {
    buckets.push({ start: Math.floor(b / 1000), count: 0, succeeded: 0, volume: 0 });
  }
  for (const r of rows.intents) {
    const bucket = buckets[Math.floor((r.bucket - first) / range.bucketMs)];
    if (!bucket) continue;
    bucket.count += r.count;
    bucket.succeeded += r.succeeded;
    if (r.currency === currency) bucket.volume += r.volume;
  }
  const settled = rows.attempts.filter(
    (a) =>
      a.status === 'succeeded' ||
      a.status === 'authorized' ||
      (a.status === 'failed' && a.declineCode !== 'abandoned'),
  );
  const won = settled.filter((a) => a.status !== 'failed').reduce((n, a) => n + a.count, 0);
  const total = settled.reduce((n, a) => n + a.count, 0);
  const declines = new Map<string, number>();
  const methods = new Map<string, number>();
  for (const a of settled) {
    if (a.status === 'failed') {
      const code = a.declineCode ?? 'unknown';
      declines.set(code, (declines.get(code) ?? 0) + a.count);
    } else methods.set(a.method, (methods.get(a.method) ?? 0) + a.count);
  }
  const latencies = rows.webhooks.map((w) => w.latencyMs).sort((x, y) => x - y);
  const non2xx = rows.webhooks.filter(
    (w) => w.status === null || w.status < 200 || w.status >= 300,
  );
  const byCount = (m: Map<string, number>) =>
    [...m.entries()].sort((x, y) => y[1] - x[1]).map(([key, count]) => ({ key, count }));
  return {
    from: Math.floor(range.from / 1000),
    to: Math.floor(range.to / 1000),
    bucket: range.bucketMs === HOUR_MS ? ('hour' as const) : ('day' as const),
    currency,
    totals: {
      count: buckets.reduce((n, b) => n + b.count, 0),
      succeeded: buckets.reduce((n, b) => n + b.succeeded, 0),
      volume: buckets.reduce((n, b) => n + b.volume, 0),
    },
    success_rate: total === 0 ? null : won / total,
    attempts: total,
    series: buckets,
    declines: byCount(declines),
    methods: byCount(methods),
    webhooks: {
      attempts: rows.webhooks.length,
      p50_ms: percentile(latencies, 0.5),
      p99_ms: percentile(latencies, 0.99),
      non_2xx_rate: rows.webhooks.length === 0 ? null : non2xx.length / rows.webhooks.length,
    },
  };
}
