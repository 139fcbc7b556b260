import { createRoute, z } from '@hono/zod-openapi';
import {
  createRefundBodySchema,
  listOf,
  type PaymentIntent,
  paymentIntentSchema,
  refundSchema,
} from '@kassa/protocol';
import {
  modeQuerySchema,
  paymentRowSchema,
  paymentsQuerySchema,
  paymentViewSchema,
} from '@kassa/protocol/dashboard';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.ts';
import { notFound } from '../http/api-error.ts';
import { type Caller, callerOf } from '../http/caller.ts';
import { idempotency } from '../http/idempotency.ts';
import { errors, json, jsonBody, openApiApp } from '../http/openapi-app.ts';
import { toPaymentIntent } from '../intents/serialize.ts';
import type { IntentService } from '../intents/service.ts';
import type { Refunds } from '../refunds/refunds.ts';
import { toRefund } from '../refunds/refunds.ts';
import type { AttemptRow } from '../store/types.ts';
import { type DashEnv, sessionSecurity } from './session.ts';

/** A refund from the dashboard: `/v1/refunds`'s body, the payment named by the path. */
const dashboardRefundSchema = createRefundBodySchema
  .omit({ payment_intent: true })
  .meta({ id: 'DashboardRefund' });
const idParam = z.object({ id: z.string() });

/**
 * Payments: the list (the `/v1` intents list and its filters, plus a search box), one
 * payment's timeline, and the owner's money moves — refund, capture, cancel — through the
 * same services as `/v1`, with an Idempotency-Key per confirmation (a double click moves
 * money once). The router puts the session in front, and `ownerOnly` before the moves.
 */
export function paymentRoutes(
  deps: Deps,
  services: { intents: IntentService; refunds: Refunds },
  ownerOnly: MiddlewareHandler<DashEnv>,
) {
  const { store, config } = deps;
  const app = openApiApp<DashEnv>();
  const tags = ['Payments'];
  const security = sessionSecurity;
  const out = (row: Parameters<typeof toPaymentIntent>[0]): PaymentIntent =>
    toPaymentIntent(row, config.publicUrl);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'dashboardListPayments',
      tags,
      security,
      summary: 'Payments, newest first: found by `q`, or filtered as `/v1/payment_intents` is',
      request: { query: paymentsQuerySchema },
      responses: { 200: json(listOf(paymentRowSchema), 'Payments'), ...errors(400) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { q, mode: _mode, ...filters } = c.req.valid('query');
      const query = (q ?? '').trim();
      const page = query
        ? { rows: await findPayment(deps, caller, query), hasMore: false }
        : await services.intents.list(caller, filters);
      // Each payment's latest attempt, for its method column (card brand and last four).
      const rows = await store.read(async (tx) => {
        const withMethod = [];
        for (const row of page.rows) {
          const a = row.latestAttemptId ? await tx.attempts.get(row.latestAttemptId) : null;
          withMethod.push({ ...out(row), payment_method: a ? methodOf(a) : null });
        }
        return withMethod;
      });
      return c.json({ object: 'list' as const, data: rows, has_more: page.hasMore }, 200);
    },
  );

  /** One payment with its timeline: attempts (with decline codes), refunds, events and
   * each event's webhook deliveries with their attempts' status and latency. */
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'dashboardRetrievePayment',
      tags,
      security,
      summary: 'A payment with its attempts, refunds, events and their deliveries',
      request: { params: idParam, query: modeQuerySchema },
      responses: { 200: json(paymentViewSchema, 'The payment'), ...errors(404) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const id = c.req.valid('param').id;
      const view = await store.read(async (tx) => {
        const intent = await tx.intents.get(id, caller);
        if (!intent) return null;
        // In turn: a transaction is one connection, which runs one query at a time.
        const attempts = await tx.attempts.ofIntent(id);
        const events = await tx.events.ofObject(id);
        const refunds = await tx.refunds.list({
          merchantId: caller.merchantId,
          livemode: caller.livemode,
          intentId: id,
          limit: 100,
        });
        const refundEvents = [];
        for (const r of refunds) refundEvents.push(...(await tx.events.ofObject(r.id)));
        const allEvents = [...events, ...refundEvents].sort((a, b) => a.createdAt - b.createdAt);
        const deliveries = await tx.deliveries.ofEvents(allEvents.map((e) => e.id));
        const webhookAttempts = await tx.deliveries.attempts(deliveries.map((d) => d.id));
        return { intent, attempts, events: allEvents, refunds, deliveries, webhookAttempts };
      });
      if (!view) throw notFound('payment_intent', id);
      return c.json(
        {
          payment: out(view.intent),
          attempts: view.attempts.map((a) => ({
            id: a.id,
            status: a.status,
            method: a.methodType,
            card: cardOf(a),
            upi_vpa: a.upiVpa,
            processor: a.processor,
            processor_reference: a.processorReference,
            decline_code: a.declineCode,
            failure_message: a.failureMessage,
            created: Math.floor(a.createdAt / 1000),
          })),
          refunds: view.refunds.map(toRefund),
          events: view.events.map((e) => ({
            id: e.id,
            type: e.type,
            created: Math.floor(e.createdAt / 1000),
            deliveries: view.deliveries
              .filter((d) => d.eventId === e.id)
              .map((d) => ({
                id: d.id,
                endpoint: d.endpointId,
                status: d.status,
                attempts: view.webhookAttempts
                  .filter((w) => w.deliveryId === d.id)
                  .map((w) => ({
                    at: Math.floor(w.attemptedAt / 1000),
                    status: w.responseStatus,
                    latency_ms: w.latencyMs,
                    error: w.error,
                  })),
              })),
          })),
        },
        200,
      );
    },
  );

  // Money moves: owners only, with the CSRF token and an Idempotency-Key per confirmation.
  const idem = idempotency(store, deps.clock, config.idempotencyLeaseMs);
  app.use('/:id/refunds', ownerOnly, idem);
  app.use('/:id/capture', ownerOnly, idem);
  app.use('/:id/cancel', ownerOnly, idem);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/refunds',
      operationId: 'dashboardRefundPayment',
      tags,
      security,
      summary: 'Refund the payment, all of what remains or `amount` of it (owners)',
      request: {
        params: idParam,
        query: modeQuerySchema,
        ...jsonBody(dashboardRefundSchema),
      },
      responses: { 201: json(refundSchema, 'The refund'), ...errors(400, 404, 409) },
    }),
    async (c) => {
      const refund = await services.refunds.create(callerOf(c), {
        ...c.req.valid('json'),
        payment_intent: c.req.valid('param').id,
      });
      return c.json(toRefund(refund), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/capture',
      operationId: 'dashboardCapturePayment',
      tags,
      security,
      summary: 'Capture a held payment in full (owners)',
      request: { params: idParam, query: modeQuerySchema },
      responses: {
        200: json(paymentIntentSchema, 'The payment'),
        ...errors(402, 404, 409, 502, 503),
      },
    }),
    async (c) => {
      const intent = await services.intents.capture(
        callerOf(c),
        c.req.valid('param').id,
        undefined,
      );
      return c.json(out(intent), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/cancel',
      operationId: 'dashboardCancelPayment',
      tags,
      security,
      summary: 'Cancel an open payment, or release a held one (owners)',
      request: { params: idParam, query: modeQuerySchema },
      responses: {
        200: json(paymentIntentSchema, 'The payment'),
        ...errors(404, 409, 502, 503),
      },
    }),
    async (c) => {
      const intent = await services.intents.cancel(
        callerOf(c),
        c.req.valid('param').id,
        'requested_by_customer',
      );
      return c.json(out(intent), 200);
    },
  );
  return app;
}

/** The card an attempt used, as far as it is kept: its brand and last four. */
const cardOf = (a: AttemptRow) => (a.cardBrand ? { brand: a.cardBrand, last4: a.cardLast4 } : null);

/** How an attempt paid: the method, the card, or the UPI ID. */
const methodOf = (a: AttemptRow) => ({ type: a.methodType, card: cardOf(a), upi_vpa: a.upiVpa });

/** A payment by its id, its order id, or its processor's reference (the caller's only). */
async function findPayment(deps: Deps, caller: Caller, q: string) {
  return deps.store.read(async (tx) => {
    if (/^pi_/.test(q)) {
      const intent = await tx.intents.get(q, caller);
      return intent ? [intent] : [];
    }
    const byOrder = await tx.intents.list({
      merchantId: caller.merchantId,
      livemode: caller.livemode,
      orderId: q,
      limit: 20,
    });
    if (byOrder.length > 0) return byOrder;
    for (const processor of Object.keys(deps.processors)) {
      const attempt = await tx.attempts.byReference(processor, q);
      const intent = attempt ? await tx.intents.get(attempt.intentId, caller) : null;
      if (intent) return [intent];
    }
    return [];
  });
}
