import { createRoute, z } from '@hono/zod-openapi';
import { listOf, listQuery, type PageQuery } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { notFound } from '../http/api-error.ts';
import { callerOf, keysetOf } from '../http/caller.ts';
import { type ExtraQuery, errors, json, openApiApp } from '../http/openapi-app.ts';
import { paginate, toList } from '../http/paginate.ts';
import { reconcile, toCsv, toRun } from './reconcile.ts';

const runSchema = z
  .object({
    id: z.string(),
    object: z.literal('reconciliation_run'),
    date: z.string(),
    created: z.number().int(),
    summary: z.record(z.string(), z.number().int()),
    rows: z.array(z.record(z.string(), z.unknown())),
    csv_url: z.string(),
  })
  .meta({ id: 'ReconciliationRun' });

/** `POST /v1/reconciliation_runs`, `GET …/:id` and `GET …/:id/csv`, for the caller's payments. */
export function reconciliationRoutes(deps: Deps, extra: ExtraQuery = {}) {
  const app = openApiApp();
  const query = z.strictObject(extra);
  const tags = ['Reconciliation'];
  const security = [{ secretKey: [] }];
  const own = async (c: Parameters<typeof callerOf>[0], id: string) => {
    const run = await deps.store.read((tx) => tx.reconciliation.get(id, callerOf(c)));
    if (!run) throw notFound('reconciliation_run', id);
    return run;
  };
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      operationId: 'createReconciliationRun',
      tags,
      security,
      summary: "Compare a day's payments with the processors' settlement reports, fix what is safe",
      request: {
        query,
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  // A real calendar day: 2026-02-30 is refused, not rolled over.
                  date: z.iso.date().meta({ example: '2026-11-21' }),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: { 201: json(runSchema, 'The run and its report'), ...errors(400) },
    }),
    async (c) => {
      const run = await reconcile(deps, {
        date: c.req.valid('json').date,
        merchantId: c.get('merchant').id,
        livemode: c.get('livemode'),
      });
      return c.json(toRun(run), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'listReconciliationRuns',
      tags,
      security,
      summary: 'List reconciliation runs, newest first',
      request: { query: listQuery(extra) },
      responses: { 200: json(listOf(runSchema), 'A page of runs'), ...errors(400) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const page = await deps.store.read((tx) =>
        paginate(
          // The cursor; an extra parameter (the dashboard's `mode`) is the mount's.
          c.req.valid('query') as PageQuery,
          'reconciliation_run',
          async (id) => keysetOf(await tx.reconciliation.get(id, caller)),
          (window) =>
            tx.reconciliation.list({
              merchantId: caller.merchantId,
              livemode: caller.livemode,
              ...window,
            }),
        ),
      );
      return c.json(toList(page, toRun), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'retrieveReconciliationRun',
      tags,
      security,
      summary: 'A reconciliation run',
      request: { params: z.object({ id: z.string() }), query },
      responses: { 200: json(runSchema, 'The run'), ...errors(400, 404) },
    }),
    async (c) => c.json(toRun(await own(c, c.req.valid('param').id)), 200),
  );
  app.get('/:id/csv', async (c) => {
    const run = toRun(await own(c, c.req.param('id')));
    return c.body(toCsv(run.rows as never), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="kassa-reconciliation-${run.date}.csv"`,
    });
  });
  return app;
}
