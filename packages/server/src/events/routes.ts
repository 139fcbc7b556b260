import { createRoute, z } from '@hono/zod-openapi';
import { kassaEventSchema, listEventsQuerySchema, listOf } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { callerOf } from '../http/caller.ts';
import { errors, json, openApiApp } from '../http/openapi-app.ts';
import { paginate, secondsToMs, toList } from '../http/paginate.ts';
import { fanOut, queueDelivery } from '../outbox/fan-out.ts';
import type { StoreRead } from '../store/types.ts';
import { toEventPayload } from '../webhooks/serialize.ts';

const security = [{ secretKey: [] }];
const tags = ['Events'];
const idParam = z.object({ id: z.string() });
type Caller = { merchantId: string; livemode: boolean };

async function ownEvent(tx: StoreRead, caller: Caller, id: string) {
  const row = await tx.events.get(id, caller);
  if (!row) throw notFound('event', id);
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
      operationId: 'listEvents',
      tags,
      security,
      summary: 'List events, newest first',
      request: { query: listEventsQuerySchema },
      responses: { 200: json(listOf(kassaEventSchema), 'A page of events'), ...errors(400) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const caller = callerOf(c);
      const page = await store.read((tx) =>
        paginate(
          q,
          'event',
          async (id) => (await tx.events.get(id, caller))?.seq ?? null,
          (window) =>
            tx.events.list({
              merchantId: caller.merchantId,
              livemode: caller.livemode,
              typePattern: q.type,
              objectId: q.object,
              createdGte: secondsToMs(q['created[gte]']),
              createdLte: secondsToMs(q['created[lte]'], 999),
              ...window,
            }),
        ),
      );
      return c.json(toList(page, toEventPayload), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'retrieveEvent',
      tags,
      security,
      summary: 'Retrieve an event',
      request: { params: idParam },
      responses: { 200: json(kassaEventSchema, 'The event'), ...errors(404) },
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
      operationId: 'redeliverEvent',
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
        ...errors(400, 404, 409),
      },
    }),
    async (c) => {
      const caller = callerOf(c);
      const endpointId = c.req.valid('json')?.endpoint;
      const now = clock.now();
      const out = await store.transaction(async (tx) => {
        const event = await ownEvent(tx, caller, c.req.valid('param').id);
        if (!endpointId) return { event: event.id, deliveries: await fanOut(tx, event, now) };
        const endpoint = await tx.endpoints.get(endpointId, caller);
        if (!endpoint) {
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
