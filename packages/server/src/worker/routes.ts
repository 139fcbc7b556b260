import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { json, openApiApp } from '../http/openapi-app.ts';

const kindStats = z.object({
  queued: z.number().int(),
  running: z.number().int(),
  retrying: z.number().int().meta({ description: 'Queued again after a failure' }),
  dead: z.number().int(),
  oldest_age_seconds: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'Age of the oldest queued job' }),
});

/** `GET /v1/jobs/stats`: the durable queue at a glance, for operators. Counts only. */
export function jobRoutes(deps: Deps) {
  const app = openApiApp();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/stats',
      operationId: 'getJobStats',
      tags: ['Operations'],
      security: [{ secretKey: [] }],
      summary: 'Queued, running, retrying and dead jobs, and the oldest queued job’s age, per kind',
      responses: {
        200: json(
          z.object({ object: z.literal('job_stats'), kinds: z.record(z.string(), kindStats) }),
          'Job counts',
        ),
      },
    }),
    async (c) => {
      const now = deps.clock.now();
      const rows = await deps.store.read((tx) => tx.jobs.stats(c.get('merchant').id));
      const kinds: Record<string, z.infer<typeof kindStats>> = {};
      for (const r of rows) {
        kinds[r.kind] ??= { queued: 0, running: 0, retrying: 0, dead: 0, oldest_age_seconds: null };
        const k = kinds[r.kind] as z.infer<typeof kindStats>;
        if (r.status === 'queued') {
          k.queued += r.count;
          k.retrying += r.retrying;
          k.oldest_age_seconds = Math.max(0, Math.floor((now - r.oldest) / 1000));
        } else if (r.status === 'running') k.running += r.count;
        else if (r.status === 'dead') k.dead += r.count;
      }
      return c.json({ object: 'job_stats' as const, kinds }, 200);
    },
  );
  return app;
}
