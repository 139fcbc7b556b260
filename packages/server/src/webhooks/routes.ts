import { createRoute, z } from '@hono/zod-openapi';
import {
  createWebhookEndpointBodySchema,
  listOf,
  listQuery,
  newId,
  type PageQuery,
  rotateSecretBodySchema,
  updateWebhookEndpointBodySchema,
  webhookDeliverySchema,
  webhookDeliveryStatusSchema,
  webhookEndpointSchema,
} from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { callerOf, keysetOf } from '../http/caller.ts';
import { type ExtraQuery, errors, json, openApiApp } from '../http/openapi-app.ts';
import { paginate, toList } from '../http/paginate.ts';
import { enqueueDelivery } from '../outbox/fan-out.ts';
import type { DeliveryStatus, StoreRead, WebhookEndpointRow } from '../store/types.ts';
import { assertEndpointUrl } from './endpoint-url.ts';
import { toDelivery, toEndpoint } from './serialize.ts';
import { generateWebhookSecret } from './signing.ts';

const security = [{ secretKey: [] }];
const tags = ['Webhooks'];
const idParam = z.object({ id: z.string() });
type Caller = { merchantId: string; livemode: boolean };
export async function ownEndpoint(
  tx: StoreRead,
  caller: Caller,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await tx.endpoints.get(id, caller);
  if (!row) throw notFound('webhook_endpoint', id);
  return row;
}

/** A page of an endpoint's deliveries with their attempts, newest first (of one status). */
export async function deliveriesPage(
  tx: StoreRead,
  endpointId: string,
  q: PageQuery,
  status?: DeliveryStatus,
) {
  const page = await paginate(
    q,
    'webhook_delivery',
    async (id) => {
      const d = await tx.deliveries.get(id);
      return d?.endpointId === endpointId ? { createdAt: d.createdAt, id } : null;
    },
    (window) => tx.deliveries.list({ endpointId, status, ...window }),
  );
  const attempts = await tx.deliveries.attempts(page.rows.map((d) => d.id));
  return toList(page, (d) =>
    toDelivery(
      d,
      d.eventType,
      attempts.filter((a) => a.deliveryId === d.id),
    ),
  );
}

/** The webhook endpoints API (secret key); the dashboard mounts the same routes. */
export function webhookEndpointRoutes(deps: Deps, extra: ExtraQuery = {}) {
  const { store, clock } = deps;
  const app = openApiApp();
  const query = z.strictObject(extra);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      operationId: 'createWebhookEndpoint',
      tags,
      security,
      summary: 'Create a webhook endpoint; the answer carries its signing secret',
      request: {
        query,
        body: {
          content: { 'application/json': { schema: createWebhookEndpointBodySchema } },
          required: true,
        },
      },
      responses: { 201: json(webhookEndpointSchema, 'Created, with `secret`'), ...errors(400) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const caller = callerOf(c);
      await assertEndpointUrl(body.url, deps.config.webhooks.addressPolicy);
      const row: WebhookEndpointRow = {
        id: newId('we'),
        merchantId: caller.merchantId,
        livemode: caller.livemode,
        url: body.url,
        description: body.description ?? null,
        enabledEvents: body.enabled_events,
        status: 'enabled',
        disabledReason: null,
        failing: false,
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        createdAt: clock.now(),
        deletedAt: null,
      };
      const cap = deps.config.webhooks.endpointsPerMerchant;
      await store.transaction(async (tx) => {
        // Counted and inserted in one transaction: the cap holds under concurrent creates.
        const existing = await tx.endpoints.live(caller.merchantId, caller.livemode);
        if (existing.length >= cap) {
          throw new ApiError(
            400,
            'too_many_endpoints',
            `A merchant may have ${cap} webhook endpoints per mode; delete one first.`,
          );
        }
        await tx.endpoints.insert(row);
      });
      return c.json(toEndpoint(row, true), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'listWebhookEndpoints',
      tags,
      security,
      summary: 'List webhook endpoints, newest first',
      request: { query: listQuery(extra) },
      responses: { 200: json(listOf(webhookEndpointSchema), 'Endpoints'), ...errors(400) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const page = await store.read((tx) =>
        paginate(
          // The cursor; an extra parameter (the dashboard's `mode`) is the mount's.
          c.req.valid('query') as PageQuery,
          'webhook_endpoint',
          async (id) => keysetOf(await tx.endpoints.get(id, caller)),
          (window) =>
            tx.endpoints.page({
              merchantId: caller.merchantId,
              livemode: caller.livemode,
              ...window,
            }),
        ),
      );
      return c.json(
        toList(page, (r) => toEndpoint(r)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'retrieveWebhookEndpoint',
      tags,
      security,
      summary: 'Retrieve a webhook endpoint',
      request: { params: idParam, query },
      responses: { 200: json(webhookEndpointSchema, 'The endpoint'), ...errors(400, 404) },
    }),
    async (c) => {
      const row = await store.read((tx) => ownEndpoint(tx, callerOf(c), c.req.valid('param').id));
      return c.json(toEndpoint(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      operationId: 'updateWebhookEndpoint',
      tags,
      security,
      summary: 'Update a webhook endpoint (url, events, description, enabled or disabled)',
      request: {
        params: idParam,
        query,
        body: {
          content: { 'application/json': { schema: updateWebhookEndpointBodySchema } },
          required: true,
        },
      },
      responses: { 200: json(webhookEndpointSchema, 'The endpoint'), ...errors(400, 404) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const caller = callerOf(c);
      if (body.url) await assertEndpointUrl(body.url, deps.config.webhooks.addressPolicy);
      const row = await store.transaction(async (tx) => {
        const current = await ownEndpoint(tx, caller, c.req.valid('param').id);
        const patch: Partial<WebhookEndpointRow> = {
          ...(body.url ? { url: body.url } : {}),
          ...(body.enabled_events ? { enabledEvents: body.enabled_events } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.status
            ? {
                status: body.status,
                disabledReason: body.status === 'disabled' ? 'Disabled by the merchant.' : null,
              }
            : {}),
        };
        await tx.endpoints.update(current.id, patch);
        return { ...current, ...patch };
      });
      return c.json(toEndpoint(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      operationId: 'deleteWebhookEndpoint',
      tags,
      security,
      summary: 'Delete a webhook endpoint; pending deliveries to it are canceled',
      request: { params: idParam, query },
      responses: {
        200: json(
          z.object({
            id: z.string(),
            object: z.literal('webhook_endpoint'),
            deleted: z.literal(true),
          }),
          'Deleted',
        ),
        ...errors(400, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await store.transaction(async (tx) => {
        await ownEndpoint(tx, callerOf(c), id);
        await tx.endpoints.update(id, { deletedAt: clock.now(), status: 'disabled' });
      });
      return c.json({ id, object: 'webhook_endpoint' as const, deleted: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/secret',
      operationId: 'revealWebhookEndpointSecret',
      tags,
      security,
      summary: "Reveal the endpoint's signing secret",
      request: { params: idParam, query },
      responses: {
        200: json(
          z.object({ secret: z.string(), previous_secret_expires_at: z.number().int().nullable() }),
          'The secret',
        ),
        ...errors(400, 404),
      },
    }),
    async (c) => {
      const row = await store.read((tx) => ownEndpoint(tx, callerOf(c), c.req.valid('param').id));
      const overlap = row.previousSecretExpiresAt;
      return c.json(
        {
          secret: row.secret,
          previous_secret_expires_at:
            overlap && overlap > clock.now() ? Math.floor(overlap / 1000) : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/rotate_secret',
      operationId: 'rotateWebhookEndpointSecret',
      tags,
      security,
      summary:
        'Rotate the signing secret; the old one keeps signing beside it for `expires_in` seconds',
      request: {
        params: idParam,
        query,
        body: {
          content: { 'application/json': { schema: rotateSecretBodySchema } },
          required: false,
        },
      },
      responses: {
        200: json(webhookEndpointSchema, 'The endpoint with its new `secret`'),
        ...errors(400, 404),
      },
    }),
    async (c) => {
      const { expires_in } = rotateSecretBodySchema.parse(c.req.valid('json') ?? {});
      const now = clock.now();
      const row = await store.transaction(async (tx) => {
        const current = await ownEndpoint(tx, callerOf(c), c.req.valid('param').id);
        const patch = {
          secret: generateWebhookSecret(),
          previousSecret: current.secret,
          previousSecretExpiresAt: now + expires_in * 1000,
        };
        await tx.endpoints.update(current.id, patch);
        return { ...current, ...patch };
      });
      return c.json(toEndpoint(row, true), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/deliveries',
      operationId: 'listWebhookDeliveries',
      tags,
      security,
      summary: 'Deliveries to this endpoint with every attempt, newest first (of one `status`)',
      request: {
        params: idParam,
        query: listQuery({ status: webhookDeliveryStatusSchema.optional(), ...extra }),
      },
      responses: { 200: json(listOf(webhookDeliverySchema), 'Deliveries'), ...errors(400, 404) },
    }),
    async (c) => {
      const list = await store.read(async (tx) => {
        const endpoint = await ownEndpoint(tx, callerOf(c), c.req.valid('param').id);
        const { status, ...page } = c.req.valid('query') as PageQuery & {
          status?: DeliveryStatus;
        };
        return deliveriesPage(tx, endpoint.id, page, status);
      });
      return c.json(list, 200);
    },
  );

  return app;
}

/** `POST /v1/webhook_deliveries/:id/retry`: runs a dead (or any settled) delivery again. */
export function webhookDeliveryRoutes(deps: Deps, extra: ExtraQuery = {}) {
  const app = openApiApp();
  const query = z.strictObject(extra);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/retry',
      operationId: 'retryWebhookDelivery',
      tags,
      security,
      summary: 'Retry a delivery now, starting its schedule again',
      request: { params: idParam, query },
      responses: {
        200: json(webhookDeliverySchema, 'The delivery, pending again'),
        ...errors(400, 404, 409),
      },
    }),
    async (c) => c.json(await retryDelivery(deps, callerOf(c), c.req.valid('param').id), 200),
  );
  return app;
}

/** Runs a settled delivery (dead, delivered or canceled) again from the start of its
 * schedule: for the API's retry and the dashboard's retry and replay. */
export async function retryDelivery(deps: Deps, caller: Caller, id: string) {
  const { store, clock } = deps;
  const now = clock.now();
  return store.transaction(async (tx) => {
    const d = await tx.deliveries.get(id);
    if (!d || d.merchantId !== caller.merchantId) throw notFound('webhook_delivery', id);
    const endpoint = await ownEndpoint(tx, caller, d.endpointId).catch(() => {
      throw notFound('webhook_delivery', id);
    });
    if (d.status === 'pending') {
      throw new ApiError(409, 'delivery_pending', 'This delivery is still being attempted.');
    }
    if (endpoint.status === 'disabled') {
      throw new ApiError(409, 'endpoint_disabled', 'Enable the endpoint before retrying.');
    }
    const patch = {
      status: 'pending' as const,
      attemptCount: 0,
      nextAttemptAt: now,
      updatedAt: now,
    };
    // Only from the status just read: of two retries at once (two processes, a double
    // click, a replay beside a retry) one queues the delivery and the other is told so.
    if (!(await tx.deliveries.update(id, patch, d.status))) {
      throw new ApiError(409, 'delivery_pending', 'This delivery is still being attempted.');
    }
    await enqueueDelivery(tx, endpoint, d, now);
    const event = await tx.events.get(d.eventId);
    // A delivery's event is kept as long as it is (a foreign key).
    if (!event) throw new Error(`delivery ${id} has no event ${d.eventId}`);
    return toDelivery({ ...d, ...patch }, event.type, await tx.deliveries.attempts([id]));
  });
}
