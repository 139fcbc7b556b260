import { createRoute, z } from '@hono/zod-openapi';
import {
  type ClientPaymentIntent,
  clientPaymentIntentSchema,
  completeProcessorSessionBodySchema,
  confirmPaymentIntentBodySchema,
  errorBodySchema,
  intentIs,
  openedProcessorSessionSchema,
  openProcessorSessionBodySchema,
} from '@kassa/protocol';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { errors, json, openApiApp } from '../http/openapi-app.ts';
import { clientKeyOf, rateLimit } from '../http/rate-limit.ts';
import type { IntentRow } from '../store/types.ts';
import type { ConfirmService } from './confirm.ts';
import { toClientIntent } from './serialize.ts';

const security: { publishableKey?: string[] }[] = [{ publishableKey: [] }, {}];
const tags = ['Client'];
const idParam = z.object({ id: z.string() });
const secretQuery = z.object({ client_secret: z.string().min(1) });
const WAITING = new Set(['processing', 'requires_action']);
/** How often the event stream looks for a change, and how long it stays open. */
/** How often the stream looks again when no change was announced. */
const STREAM_FALLBACK_POLL_MS = 2_000;
const STREAM_MAX_MS = 15 * 60 * 1000;

/**
 * The client API the hosted page and checkout.js call. An intent's client secret is the
 * credential; a publishable key, when sent, must belong to the intent's merchant. It
 * shows only what a shopper may see.
 */
/** 402 with the intent when its latest attempt was declined; the intent otherwise. */
function declinedOr(c: Context<AppEnv>, row: IntentRow, shown: ClientPaymentIntent) {
  const declined =
    row.lastPaymentError && row.lastPaymentError.payment_attempt === row.latestAttemptId;
  if (declined && (intentIs.awaitingMethod(row.status) || row.status === 'failed')) {
    const e = row.lastPaymentError;
    throw new ApiError(
      402,
      e?.code ?? 'card_declined',
      e?.message ?? 'Your payment was declined.',
      {
        type: 'card_error',
        ...(e?.decline_code && { declineCode: e.decline_code }),
        paymentIntent: shown,
      },
    );
  }
  return c.json(shown, 200);
}

export function clientRoutes(deps: Deps, confirms: ConfirmService) {
  const { store } = deps;
  const app = openApiApp();
  const keyOf = (c: Context<AppEnv>) => {
    const merchant = c.get('merchant');
    return merchant ? { merchant, livemode: c.get('livemode') } : null;
  };
  /** The intent a shopper's request names, checked against its secret, and the client. */
  const shopper = async (c: Context<AppEnv>, id: string, secret: string) => ({
    intent: await confirms.clientIntent(keyOf(c), id, secret),
    clientKey: clientKeyOf(c, deps.config),
  });
  /** What a shopper sees; attempts left are this client's, within the intent's. */
  const view = async (row: IntentRow, clientKey?: string, knownFailures?: number | null) => {
    const [merchant, key, clientFailures] = await Promise.all([
      store.directory.merchant(row.merchantId),
      store.directory.activeSecretKey(row.merchantId, row.livemode),
      !clientKey
        ? 0
        : (knownFailures ?? store.read((tx) => tx.attempts.countFailed(row.id, clientKey))),
    ]);
    if (!merchant) throw new Error(`intent ${row.id} has no merchant`);
    const { maxAttempts, maxAttemptsPerClient } = deps.config;
    const left = Math.min(maxAttempts - row.failedAttempts, maxAttemptsPerClient - clientFailures);
    const fields = intentIs.terminal(row.status)
      ? {}
      : await deps.routing.processorFields(row.merchantId, row.livemode, row.paymentMethodTypes);
    return toClientIntent(row, merchant, row.failedAttempts + left, key?.secretHash, fields);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/payment_intents/{id}',
      operationId: 'retrieveClientPaymentIntent',
      tags,
      security,
      summary: "A shopper's view of a payment intent",
      request: { params: idParam, query: secretQuery },
      responses: { 200: json(clientPaymentIntentSchema, 'The intent'), ...errors(400, 404) },
    }),
    async (c) => {
      let row = await confirms.clientIntent(
        keyOf(c),
        c.req.valid('param').id,
        c.req.valid('query').client_secret,
      );
      row = (await confirms.expireIfDue(row)) ?? row;
      return c.json(await view(row, clientKeyOf(c, deps.config)), 200);
    },
  );

  // Server-Sent Events: the intent now, then each time it changes, until it settles.
  app.get('/payment_intents/:id/events', async (c) => {
    const secret = c.req.query('client_secret');
    if (!secret) {
      throw new ApiError(400, 'parameter_missing', 'Missing required param: client_secret.', {
        param: 'client_secret',
      });
    }
    const first = await confirms.clientIntent(keyOf(c), c.req.param('id'), secret);
    // Attempts left are this shopper's, as every other answer counts them.
    const clientKey = clientKeyOf(c, deps.config);
    return streamSSE(c, async (stream) => {
      let last = '';
      const started = Date.now();
      let row: IntentRow | null = first;
      // Woken by the store when a commit in any process changes this intent; the
      // slow poll is only a net (a notification lost with a dropped connection).
      let wake: (() => void) | null = null;
      let changed = false;
      const stop = store.onIntentChanged((id) => {
        if (id !== first.id) return;
        changed = true;
        wake?.();
      });
      stream.onAbort(() => wake?.());
      try {
        while (row && !stream.aborted && Date.now() - started < STREAM_MAX_MS) {
          const stamp = `${row.status}:${row.updatedAt}`;
          if (stamp !== last) {
            last = stamp;
            await stream.writeSSE({
              event: 'payment_intent',
              data: JSON.stringify(await view(row, clientKey)),
            });
            if (!WAITING.has(row.status)) break;
          }
          if (!changed) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, STREAM_FALLBACK_POLL_MS);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          wake = null;
          changed = false;
          const id: string = row.id;
          row = await store.read((tx) => tx.intents.get(id));
        }
      } finally {
        stop();
      }
    });
  });

  app.use(
    '/checkout_sessions',
    rateLimit({
      name: 'checkout_sessions',
      perMinute: deps.config.confirmsPerMinutePerClient,
      store,
      clock: deps.clock,
      config: deps.config,
      scope: (c) => (c as Context<AppEnv>).get('merchant')?.id ?? '',
      message: 'Too many checkout requests. Wait a minute and try again.',
    }),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/checkout_sessions',
      operationId: 'createCheckoutSession',
      tags,
      security: [{ publishableKey: [] }],
      summary: "Start paying an order: the open intent of the merchant's order_id",
      description:
        "For `new PaymentGateway({ key, orderId })`: with the publishable key, returns the client secret of the order's open intent, which the merchant's server created.",
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ order_id: z.string().min(1).max(255) }).strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(
          z.object({ payment_intent: z.string(), client_secret: z.string() }),
          'The intent to pay',
        ),
        ...errors(400, 404, 429),
      },
    }),
    async (c) => {
      const key = keyOf(c);
      if (!key) {
        throw new ApiError(
          401,
          'api_key_missing',
          'Send your publishable key as `Authorization: Bearer pk_…`.',
        );
      }
      const orderId = c.req.valid('json').order_id;
      const row = await store.read((tx) =>
        tx.intents.liveByOrder(key.merchant.id, key.livemode, orderId),
      );
      // One answer for "no such order" and "already paid": this is a public endpoint.
      if (!row || intentIs.terminal(row.status)) {
        throw new ApiError(
          404,
          'resource_missing',
          `No open payment for order '${orderId}'. Create it on your server first.`,
          { param: 'order_id' },
        );
      }
      return c.json({ payment_intent: row.id, client_secret: row.clientSecret }, 200);
    },
  );

  app.use(
    '/payment_intents/:id/confirm',
    rateLimit({
      name: 'confirm',
      perMinute: deps.config.confirmsPerMinutePerClient,
      store,
      clock: deps.clock,
      config: deps.config,
      message: 'Too many payment attempts. Wait a minute and try again.',
    }),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/payment_intents/{id}/confirm',
      operationId: 'confirmPaymentIntent',
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
        ...errors(400, 404, 409),
        429: json(errorBodySchema, 'Too many attempts from this client'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { intent, clientKey } = await shopper(c, c.req.valid('param').id, body.client_secret);
      const { row, clientFailures } = await confirms.confirm(intent, body, {
        idem: c.get('idempotency'),
        clientKey,
      });
      return declinedOr(c, row, await view(row, clientKey, clientFailures));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payment_intents/{id}/leave',
      operationId: 'leavePaymentAttempt',
      tags,
      security,
      summary: 'Leave the payment under way (3-D Secure, a UPI request) to choose again',
      description:
        "The shopper's way out of a step they cannot or will not finish. The attempt is withdrawn at the processor where it can be, and is not counted as a decline; the intent is open again (`requires_payment_method`). If the processor had already taken the payment, the intent shows it (`succeeded`); money an abandoned attempt takes later is recorded, and given back if the order was paid another way. Leaving an intent that is already open changes nothing.",
      request: {
        params: idParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({ client_secret: z.string().min(1) }).strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(
          clientPaymentIntentSchema,
          'The intent, open again or as the processor settled it',
        ),
        ...errors(400, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { intent, clientKey } = await shopper(c, c.req.valid('param').id, body.client_secret);
      const row = await confirms.leave(intent);
      return c.json(await view(row, clientKey), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payment_intents/{id}/processor_session',
      operationId: 'openProcessorSession',
      tags,
      security,
      summary: "Open the payment the processor's own fields complete (Stripe's Payment Element)",
      description:
        "For a method in `processor_fields`: the gateway opens the payment at the processor (one per attempt; opening again reopens it) and answers with what the page mounts the processor's fields with. The card goes from those fields to the processor, never to Kassa.",
      request: {
        params: idParam,
        body: {
          content: { 'application/json': { schema: openProcessorSessionBodySchema } },
          required: true,
        },
      },
      responses: {
        200: json(
          openedProcessorSessionSchema,
          'The session, or the intent if it was settled meanwhile',
        ),
        ...errors(400, 404, 409, 502),
        429: json(errorBodySchema, 'Too many attempts from this client'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { intent, clientKey } = await shopper(c, c.req.valid('param').id, body.client_secret);
      const opened = await confirms.openSession(intent, body.payment_method_type, { clientKey });
      return c.json(
        {
          payment_intent: await view(opened.intent, clientKey),
          session: opened.session && {
            object: 'processor_session' as const,
            payment_attempt: opened.session.attempt,
            processor: opened.session.processor,
            publishable_key: opened.session.publishableKey,
            client_secret: opened.session.clientSecret,
          },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payment_intents/{id}/processor_session/complete',
      operationId: 'completeProcessorSession',
      tags,
      security,
      summary: "After the processor's fields confirmed: record how the payment stands",
      description:
        "The gateway does not take the browser's word: it asks the processor. A decline answers 402 as confirm does; the shopper may open a new session and try again.",
      request: {
        params: idParam,
        body: {
          content: { 'application/json': { schema: completeProcessorSessionBodySchema } },
          required: true,
        },
      },
      responses: {
        200: json(clientPaymentIntentSchema, 'Succeeded, processing, held, or still open'),
        402: json(
          errorBodySchema,
          'Declined: `error.payment_intent` shows whether a retry is possible',
        ),
        ...errors(400, 404, 409, 502),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { intent, clientKey } = await shopper(c, c.req.valid('param').id, body.client_secret);
      const row = await confirms.completeSession(intent, body.processor_result);
      return declinedOr(c, row, await view(row, clientKey));
    },
  );

  return app;
}
