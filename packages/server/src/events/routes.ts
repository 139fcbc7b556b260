import { createRoute, z } from '@hono/zod-openapi';
import { listEventsQuerySchema, listOf, webhookPayloadSchema } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { callerOf } from '../http/caller.ts';
import { errorResponses, json, openApiApp } from '../http/openapi-app.ts';
import type { StoreTx } from '../store/types.ts';
import { fanOut, queueDelivery } from '../webhooks/fan-out.ts';
import { toEventPayload } from '../webhooks/serialize.ts';

const security = [{ secretKey: [] }];
const tags = ['Events'];
const idParam = z.object({ id: z.string() });
type Caller = { merchantId: string; livemode: boolean };

async function ownEvent(tx: StoreTx, caller: Caller, id: string) {
  const row = await tx.getEvent(id);
  if (!row || row.merchantId !== caller.merchantId || row.livemode !== caller.livemode) {
    throw notFound('event', id);
  }
  return row;
}

/**
 * The events API: every state change, newest first, so a merchant can catch up after
 * downtime; and redelivery of an event to its endpoints.
 */
export function eventRoutes(deps: Deps) {
  const { store, clock } = deps;
  const app = openApiApp();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      security,
      summary: 'List events, newest first',
      request: { query: listEventsQuerySchema },
      responses: { 200: json(listOf(webhookPayloadSchema), 'A page of events'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const caller = callerOf(c);
      const page = await store.read(async (tx) => {
        const cursorId = q.starting_after ?? q.ending_before;
        const cursor = cursorId ? await ownEvent(tx, caller, cursorId).catch(() => null) : null;
        if (cursorId && !cursor) {
          throw new ApiError(400, 'parameter_invalid', `No such event: '${cursorId}'`, {
            param: q.starting_after ? 'starting_after' : 'ending_before',
          });
        }
        const rows = await tx.listEvents({
          ...caller,
          typePattern: q.type,
          objectId: q.object,
          createdGte: q['created[gte]'] === undefined ? undefined : q['created[gte]'] * 1000,
          createdLte: q['created[lte]'] === undefined ? undefined : q['created[lte]'] * 1000 + 999,
          afterSeq: q.starting_after ? cursor?.seq : undefined,
          beforeSeq: q.ending_before ? cursor?.seq : undefined,
          limit: q.limit + 1,
        });
        const hasMore = rows.length > q.limit;
        const data = q.ending_before ? rows.slice(hasMore ? 1 : 0) : rows.slice(0, q.limit);
        return { object: 'list' as const, data: data.map(toEventPayload), has_more: hasMore };
      });
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      security,
      summary: 'Retrieve an event',
      request: { params: idParam },
      responses: { 200: json(webhookPayloadSchema, 'The event'), ...errorResponses },
    }),
    async (c) => {
      const row = await store.read((tx) => ownEvent(tx, callerOf(c), c.req.valid('param').id));
      return c.json(toEventPayload(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/redeliver',
      tags,
      security,
      summary: 'Send an event again, to one endpoint or to every endpoint that wants it',
      request: {
        params: idParam,
        body: {
          content: {
            'application/json': { schema: z.object({ endpoint: z.string().optional() }).strict() },
          },
          required: false,
        },
      },
      responses: {
        200: json(
          z.object({ event: z.string(), deliveries: z.array(z.string()) }),
          'Deliveries queued',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const caller = callerOf(c);
      const endpointId = c.req.valid('json')?.endpoint;
      const now = clock.now();
      const out = await store.transaction(async (tx) => {
        const event = await ownEvent(tx, caller, c.req.valid('param').id);
        if (!endpointId) return { event: event.id, deliveries: await fanOut(tx, event, now) };
        const endpoint = await tx.getEndpoint(endpointId);
        if (
          !endpoint ||
          endpoint.merchantId !== caller.merchantId ||
          endpoint.livemode !== caller.livemode
        ) {
          throw new ApiError(
            400,
            'parameter_invalid',
            `No such webhook_endpoint: '${endpointId}'`,
            {
              param: 'endpoint',
            },
          );
        }
        return { event: event.id, deliveries: [await queueDelivery(tx, event, endpoint, now)] };
      });
      return c.json(out, 200);
    },
  );

  return app;
}
