import { createRoute, z } from '@hono/zod-openapi';
import {
  cancelPaymentIntentBodySchema,
  capturePaymentIntentBodySchema,
  createPaymentIntentBodySchema,
  intentIs,
  listOf,
  listPaymentIntentsQuerySchema,
  paymentIntentSchema,
} from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { callerOf } from '../http/caller.ts';
import { errors, json, openApiApp } from '../http/openapi-app.ts';
import { toList } from '../http/paginate.ts';
import { toPaymentIntent } from './serialize.ts';
import type { IntentService } from './service.ts';

const security = [{ secretKey: [] }];
const tags = ['Payment intents'];
const idParam = z.object({ id: z.string().meta({ example: 'pi_3Lk9…' }) });
const optionalBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: false },
});

/** The merchant API for payment intents (secret key). */
export function paymentIntentRoutes(deps: Deps, intents: IntentService) {
  const out = (row: Parameters<typeof toPaymentIntent>[0]) =>
    toPaymentIntent(row, deps.config.publicUrl);
  const app = openApiApp();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      operationId: 'createPaymentIntent',
      tags,
      security,
      summary: 'Create a payment intent',
      description:
        'Creates an intent for an order. The same order_id with the same amount and currency returns the existing intent (200) instead of creating another.',
      request: {
        headers: z.object({ 'idempotency-key': z.string().max(255).optional() }),
        body: {
          content: { 'application/json': { schema: createPaymentIntentBodySchema } },
          required: true,
        },
      },
      responses: {
        201: json(paymentIntentSchema, 'Created'),
        200: json(paymentIntentSchema, "The order's existing intent"),
        ...errors(400, 409),
      },
    }),
    async (c) => {
      const { intent, created } = await intents.create(callerOf(c), c.req.valid('json'));
      return c.json(out(intent), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'listPaymentIntents',
      tags,
      security,
      summary: 'List payment intents, newest first',
      request: { query: listPaymentIntentsQuerySchema },
      responses: { 200: json(listOf(paymentIntentSchema), 'A page of intents'), ...errors(400) },
    }),
    async (c) => {
      return c.json(toList(await intents.list(callerOf(c), c.req.valid('query')), out), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'retrievePaymentIntent',
      tags,
      security,
      summary: 'Retrieve a payment intent',
      request: { params: idParam },
      responses: { 200: json(paymentIntentSchema, 'The intent'), ...errors(404) },
    }),
    async (c) => c.json(out(await intents.get(callerOf(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/cancel',
      operationId: 'cancelPaymentIntent',
      tags,
      security,
      summary: 'Cancel a payment intent',
      request: { params: idParam, ...optionalBody(cancelPaymentIntentBodySchema) },
      responses: {
        200: json(paymentIntentSchema, 'The canceled intent'),
        ...errors(400, 404, 409, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json') ?? {};
      const row = await intents.cancel(
        callerOf(c),
        c.req.valid('param').id,
        body.cancellation_reason,
      );
      return c.json(out(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/capture',
      operationId: 'capturePaymentIntent',
      tags,
      security,
      summary: 'Capture a held payment, in full or in part',
      request: { params: idParam, ...optionalBody(capturePaymentIntentBodySchema) },
      responses: {
        200: json(paymentIntentSchema, 'The captured intent'),
        202: json(
          paymentIntentSchema,
          'The processor did not answer yet: the intent is `processing` and the capture completes by itself (`payment_intent.succeeded`, or `payment_intent.canceled` if the authorization turned out to be gone). Nothing is captured twice.',
        ),
        ...errors(400, 402, 404, 409, 503),
      },
    }),
    async (c) => {
      const body = c.req.valid('json') ?? {};
      const row = await intents.capture(
        callerOf(c),
        c.req.valid('param').id,
        body.amount_to_capture,
      );
      if (intentIs.processing(row.status)) return c.json(out(row), 202);
      return c.json(out(row), 200);
    },
  );

  return app;
}
