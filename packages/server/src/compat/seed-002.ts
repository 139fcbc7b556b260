import {
  createPaymentIntentBodySchema,
  intentIs,
  isKnownCurrency,
  vpaSchema,
} from '@kassa/protocol';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { callerOf } from '../http/caller.ts';
import type { AppEnv } from '../http/env.ts';
import { validationError } from '../http/zod-hook.ts';
import type { IntentService } from '../intents/service.ts';
import { hashSecret, keyLive, safeEqual } from '../merchants/keys.ts';
import { demoMerchantFor } from '../merchants/seed-credentials.ts';
import type { Refunds } from '../refunds/refunds.ts';
import type { IntentRow, MerchantRow } from '../store/types.ts';

const createSchema = z
  .object({
    // The same limits as /v1: one validation for every door into the gateway.
    amount: createPaymentIntentBodySchema.shape.amount,
    currency: z
      .string()
      .refine((c) => isKnownCurrency(c.toUpperCase()), { message: 'must be an ISO 4217 code' }),
    method: z.enum(['upi', 'card']),
    order_id: createPaymentIntentBodySchema.shape.order_id,
    vpa: vpaSchema.optional(),
  })
  .refine((b) => b.method !== 'upi' || b.vpa, { message: 'is required for UPI', path: ['vpa'] });

const refundSchema = z.object({
  amount: createPaymentIntentBodySchema.shape.amount.optional(),
  reason: z.string().max(500).optional(),
});

/** Seed 002's statuses: pending, success or failed, with capture as a flag. */
function toSeedPayment(row: IntentRow) {
  const status = intentIs.paid(row.status)
    ? 'success'
    : intentIs.closedUnpaid(row.status) || row.lastPaymentError
      ? 'failed'
      : 'pending';
  return {
    id: row.id,
    order_id: row.orderId,
    amount: row.amount,
    currency: row.currency,
    method: row.paymentMethodTypes[0] ?? 'upi',
    status,
    captured: intentIs.captured(row.status),
    amount_refunded: row.amountRefunded,
    error_code: status === 'failed' ? (row.lastPaymentError?.decline_code ?? row.status) : null,
    created_at: new Date(row.createdAt).toISOString(),
  };
}

async function body<T>(c: { req: { json(): Promise<unknown> } }, schema: z.ZodType<T>): Promise<T> {
  const raw = await c.req.json().catch(() => {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  });
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw validationError(parsed.error, raw);
  return parsed.data;
}

/**
 * Seed 002's API as thin routes over the same services: `X-Api-Key` and `X-Api-Secret`
 * headers; payments are authorised first (UPI, by the worker) and captured by the
 * capture call; a refund needs a captured payment.
 */
export function seed002Routes(deps: Deps, intents: IntentService, refunds: Refunds) {
  const app = new Hono<AppEnv>();
  const { store } = deps;

  app.use('*', async (c, next) => {
    const key = c.req.header('x-api-key');
    const secret = c.req.header('x-api-secret');
    if (!key || !secret)
      throw new ApiError(401, 'api_key_missing', 'Send X-Api-Key and X-Api-Secret.');
    let merchant: MerchantRow | null = await demoMerchantFor(store, deps.config.demo, key, secret);
    let livemode = false;
    if (!merchant) {
      const found = await store.read(async (tx) => {
        const sk = await tx.apiKeys.bySecretHash(hashSecret(secret));
        const pk = await tx.apiKeys.byPublishable(key);
        if (!sk || !pk || sk.merchantId !== pk.merchantId || sk.livemode !== pk.livemode)
          return null;
        const now = deps.clock.now();
        if (
          !safeEqual(sk.secretHash ?? '', hashSecret(secret)) ||
          !keyLive(sk, now) ||
          !keyLive(pk, now)
        )
          return null;
        return { merchant: await tx.merchants.get(sk.merchantId), livemode: sk.livemode };
      });
      merchant = found?.merchant ?? null;
      livemode = found?.livemode ?? false;
    }
    if (!merchant) throw new ApiError(401, 'api_key_invalid', 'Invalid API key or secret.');
    c.set('merchant', merchant);
    c.set('livemode', livemode);
    await next();
  });

  app.post('/payments', async (c) => {
    const b = await body(c, createSchema);
    if (b.method === 'card') {
      throw new ApiError(
        400,
        'card_details_not_allowed',
        'Card payments are taken with checkout.js, not from your server.',
        {
          param: 'method',
        },
      );
    }
    const { intent } = await intents.create(callerOf(c), {
      amount: b.amount,
      currency: b.currency.toUpperCase(),
      order_id: b.order_id,
      capture_method: 'manual',
      payment_method_types: ['upi'],
      confirm: true,
      payment_method: { type: 'upi', upi: { vpa: b.vpa as string } },
    });
    return c.json(toSeedPayment(intent), 201);
  });

  app.get('/payments/:id', async (c) =>
    c.json(toSeedPayment(await intents.get(callerOf(c), c.req.param('id')))),
  );

  app.post('/payments/:id/capture', async (c) => {
    const row = await intents.capture(callerOf(c), c.req.param('id'), undefined);
    return c.json(toSeedPayment(row));
  });

  app.post('/payments/:id/refunds', async (c) => {
    const b = await body(c, refundSchema);
    const intent = await intents.get(callerOf(c), c.req.param('id'));
    if (!intentIs.captured(intent.status)) {
      throw new ApiError(
        400,
        'payment_not_captured',
        'Only a captured payment can be refunded; capture it first.',
      );
    }
    const r = await refunds.create(callerOf(c), {
      payment_intent: intent.id,
      amount: b.amount,
      metadata: b.reason ? { reason: b.reason.slice(0, 500) } : undefined,
    });
    return c.json(
      {
        id: r.id,
        payment_id: r.intentId,
        amount: r.amount,
        reason: b.reason ?? null,
        status: r.status === 'succeeded' ? 'processed' : r.status,
        created_at: new Date(r.createdAt).toISOString(),
      },
      201,
    );
  });

  app.get('/test/jobs/status', async (c) => {
    const rows = await store.read((tx) => tx.jobs.stats(c.get('merchant').id));
    const sum = (status: string) =>
      rows.filter((r) => r.status === status).reduce((n, r) => n + r.count, 0);
    return c.json({
      pending: sum('queued'),
      processing: sum('running'),
      failed: sum('dead'),
      worker_status: deps.config.runWorker ? 'running' : 'stopped',
    });
  });
  return app;
}
