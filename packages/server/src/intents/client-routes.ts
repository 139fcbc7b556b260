import { createRoute, z } from '@hono/zod-openapi';
import {
  clientPaymentIntentSchema,
  confirmPaymentIntentBodySchema,
  errorBodySchema,
} from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { errorResponses, json, openApiApp } from '../http/openapi-app.ts';
import { rateLimit } from '../http/rate-limit.ts';
import type { ConfirmService } from './confirm.ts';
import { toClientIntent } from './serialize.ts';

const security = [{ publishableKey: [] }];
const tags = ['Client (hosted page)'];
const idParam = z.object({ id: z.string() });

/**
 * The client API the hosted page calls with the merchant's publishable key and the
 * intent's client secret. It shows only what a shopper may see.
 */
export function clientRoutes(deps: Deps, confirms: ConfirmService) {
  const app = openApiApp();
  const view = (row: Parameters<typeof toClientIntent>[0], c: { get(k: 'merchant'): never }) =>
    toClientIntent(row, c.get('merchant'), deps.config.maxAttempts);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      security,
      summary: "A shopper's view of a payment intent",
      request: { params: idParam, query: z.object({ client_secret: z.string().min(1) }) },
      responses: { 200: json(clientPaymentIntentSchema, 'The intent'), ...errorResponses },
    }),
    async (c) => {
      let row = await confirms.clientIntent(
        c.get('merchant'),
        c.get('livemode'),
        c.req.valid('param').id,
        c.req.valid('query').client_secret,
      );
      row = (await confirms.expireIfDue(row)) ?? row;
      return c.json(view(row, c as never), 200);
    },
  );

  app.use(
    '/:id/confirm',
    rateLimit({ perMinute: deps.config.confirmsPerMinutePerClient, clock: deps.clock }),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/confirm',
      tags,
      security,
      summary: 'Pay: confirm a payment intent with a payment method',
      description:
        'Card details go to the processor and are dropped; only brand, last 4, expiry and a fingerprint are kept. A decline answers 402 with the intent, which can be confirmed again.',
      request: {
        params: idParam,
        body: {
          content: { 'application/json': { schema: confirmPaymentIntentBodySchema } },
          required: true,
        },
      },
      responses: {
        200: json(clientPaymentIntentSchema, 'Succeeded, processing, or waiting for an action'),
        402: json(
          errorBodySchema,
          'Declined: `error.payment_intent` shows whether a retry is possible',
        ),
        ...errorResponses,
        429: json(errorBodySchema, 'Too many attempts from this client'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const intent = await confirms.clientIntent(
        c.get('merchant'),
        c.get('livemode'),
        c.req.valid('param').id,
        body.client_secret,
      );
      const row = await confirms.confirm(intent, body);
      const shown = view(row, c as never);
      const declined =
        row.lastPaymentError && row.lastPaymentError.payment_attempt === row.latestAttemptId;
      if (declined && (row.status === 'requires_payment_method' || row.status === 'failed')) {
        const e = row.lastPaymentError;
        return c.json(
          {
            error: {
              type: 'card_error' as const,
              code: e?.code ?? 'card_declined',
              decline_code: e?.decline_code,
              message: e?.message ?? 'Your payment was declined.',
              request_id: c.get('requestId'),
              payment_intent: shown,
            },
          },
          402,
        );
      }
      return c.json(shown, 200);
    },
  );

  return app;
}
