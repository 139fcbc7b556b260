import { createRoute, z } from '@hono/zod-openapi';
import { modeQuerySchema, replayBodySchema, replayedSchema } from '@kassa/protocol/dashboard';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { callerOf } from '../http/caller.ts';
import { errors, json, jsonBody, openApiApp } from '../http/openapi-app.ts';
import { ownEndpoint, retryDelivery } from '../webhooks/routes.ts';
import { type DashEnv, sessionSecurity } from './session.ts';

/** Dead deliveries one replay sends again; the answer says when there are more. */
const REPLAY_LIMIT = 500;

/**
 * `POST /endpoints/{id}/replay`: every dead delivery to an endpoint created in [from, to]
 * (Unix seconds) sent again, each as `/v1/webhook_deliveries/{id}/retry` would. The rest
 * of the endpoints' routes are `/v1`'s own, mounted beside this one.
 */
export function replayRoutes(deps: Deps) {
  const app = openApiApp<DashEnv>();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/replay',
      operationId: 'dashboardReplayDeadDeliveries',
      tags: ['Webhooks'],
      security: sessionSecurity,
      summary: 'Send every dead delivery of a time range again (owners)',
      request: {
        params: z.object({ id: z.string() }),
        query: modeQuerySchema,
        ...jsonBody(replayBodySchema),
      },
      responses: { 200: json(replayedSchema, 'How many were sent again'), ...errors(400, 404) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { from, to } = c.req.valid('json');
      const dead = await deps.store.read(async (tx) => {
        const endpoint = await ownEndpoint(tx, caller, c.req.valid('param').id);
        return tx.deliveries.list({
          endpointId: endpoint.id,
          status: 'dead',
          createdGte: from * 1000,
          createdLte: to * 1000 + 999,
          limit: REPLAY_LIMIT,
        });
      });
      let replayed = 0;
      for (const d of dead) {
        try {
          await retryDelivery(deps, caller, d.id);
          replayed++;
        } catch (err) {
          // Retried by someone else since the list was read (another replay, a retry,
          // another process): already on its way, so not sent a second time.
          if (!(err instanceof ApiError && err.code === 'delivery_pending')) throw err;
        }
      }
      return c.json({ replayed, more: dead.length === REPLAY_LIMIT }, 200);
    },
  );
  return app;
}
