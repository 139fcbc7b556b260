import { z } from 'zod';
import { listQuery } from './list.ts';
import { ATTEMPT_STATUSES } from './payment-attempt.ts';
import { paymentIntentFiltersShape, paymentIntentSchema } from './payment-intent.ts';
import { paymentMethodTypeSchema } from './payment-method.ts';
import { refundSchema } from './refund.ts';
import { webhookDeliveryStatusSchema } from './webhook.ts';

/** The shortest password a dashboard user may choose. */
export const MIN_PASSWORD = 12;

/**
 * The dashboard API's own requests and answers, for the gateway (which validates and
 * documents them) and the dashboard app (which reads them: the types below). What the
 * dashboard shares with `/v1` (payment intents, refunds, webhook endpoints and deliveries,
 * reconciliation runs) is `/v1`'s; this file holds only what `/v1` has no word for:
 * sessions, the payment timeline, the overview, keys and origins.
 */

/** Every dashboard call names the mode it looks at; test unless `live`. */
export const modeShape = {
  mode: z
    .enum(['test', 'live'])
    .optional()
    .meta({ description: 'The mode to look at: `test` (the default) or `live`.' }),
};
/** The query of a route that takes nothing but the mode: anything else is refused. */
export const modeQuerySchema = z.strictObject(modeShape);

export const loginBodySchema = z
  .strictObject({
    email: z.string().trim().toLowerCase().min(1).max(255),
    password: z.string().min(1).max(1024),
  })
  .meta({ id: 'DashboardLogin' });

export const passwordBodySchema = z
  .strictObject({
    current_password: z.string().min(1, 'Enter your current password.').max(1024),
    new_password: z
      .string()
      .min(MIN_PASSWORD, `Use at least ${MIN_PASSWORD} characters.`)
      .max(1024, 'Use at most 1024 characters.'),
  })
  .meta({ id: 'DashboardPasswordChange' });

export const sessionSchema = z
  .object({
    user: z.object({
      id: z.string(),
      email: z.string(),
      role: z.enum(['owner', 'viewer']),
      must_change_password: z.boolean(),
    }),
    merchant: z.object({ id: z.string(), name: z.string() }),
    csrf_token: z.string().meta({ description: 'Send it as `X-CSRF-Token` with every change.' }),
    expires_at: z.number().int().meta({ description: 'Unix seconds: the session ends then.' }),
  })
  .meta({ id: 'DashboardSession' });

export const signedOutSchema = z.object({ signed_out: z.number().int() });

/** The payments list: the `/v1` intents list's filters, plus `q` (an id, order id or
 * processor reference). */
export const paymentsQuerySchema = listQuery({
  ...paymentIntentFiltersShape,
  q: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'An intent id, an order id or a processor reference.' }),
  ...modeShape,
});

/** How a payment was (last) tried: what the list shows beside the amount. */
const paymentMethodSummarySchema = z
  .object({
    type: paymentMethodTypeSchema,
    card: z.object({ brand: z.string(), last4: z.string().nullable() }).nullable(),
    upi_vpa: z.string().nullable(),
  })
  .nullable();

/** A row of the payments list: the `/v1` intent, and its latest attempt's method. */
export const paymentRowSchema = paymentIntentSchema
  .extend({ payment_method: paymentMethodSummarySchema })
  .meta({ id: 'DashboardPaymentRow' });

const attemptSchema = z.object({
  id: z.string(),
  status: z.enum(ATTEMPT_STATUSES),
  method: paymentMethodTypeSchema,
  card: z.object({ brand: z.string(), last4: z.string().nullable() }).nullable(),
  upi_vpa: z.string().nullable(),
  processor: z.string(),
  processor_reference: z.string().nullable(),
  decline_code: z.string().nullable(),
  failure_message: z.string().nullable(),
  created: z.number().int(),
});

export const paymentViewSchema = z
  .object({
    payment: paymentIntentSchema,
    attempts: z.array(attemptSchema),
    refunds: z.array(refundSchema),
    events: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        created: z.number().int(),
        deliveries: z.array(
          z.object({
            id: z.string(),
            endpoint: z.string(),
            status: webhookDeliveryStatusSchema,
            attempts: z.array(
              z.object({
                at: z.number().int(),
                status: z.number().int().nullable(),
                latency_ms: z.number().int(),
                error: z.string().nullable(),
              }),
            ),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'DashboardPayment' });

export const overviewQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(0).optional().meta({ description: 'Unix seconds.' }),
  to: z.coerce.number().int().min(0).optional().meta({ description: 'Unix seconds.' }),
  bucket: z.enum(['hour', 'day']).optional(),
  ...modeShape,
});

const countedSchema = z.array(z.object({ key: z.string(), count: z.number().int() }));
export const overviewSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    bucket: z.enum(['hour', 'day']),
    currency: z.string().nullable(),
    totals: z.object({
      count: z.number().int(),
      succeeded: z.number().int(),
      volume: z.number().int(),
    }),
    success_rate: z.number().nullable(),
    attempts: z.number().int(),
    series: z.array(
      z.object({
        start: z.number().int(),
        count: z.number().int(),
        succeeded: z.number().int(),
        volume: z.number().int(),
      }),
    ),
    declines: countedSchema,
    methods: countedSchema,
    webhooks: z.object({
      attempts: z.number().int(),
      p50_ms: z.number().nullable(),
      p99_ms: z.number().nullable(),
      non_2xx_rate: z.number().nullable(),
    }),
  })
  .meta({ id: 'DashboardOverview' });

export const developersSchema = z
  .object({
    publishable_key: z.string().nullable(),
    secret_keys: z.array(
      z.object({
        last4: z.string(),
        created: z.number().int(),
        expires_at: z.number().int().nullable(),
      }),
    ),
    allowed_origins: z.array(z.string()),
    upi_collect: z.boolean().meta({
      description:
        'Whether the payment page offers UPI collect (a request sent to a UPI ID the shopper types); UPI intent and QR are always offered.',
    }),
  })
  .meta({ id: 'DashboardDevelopers' });

export const rolledKeySchema = z.object({
  secret_key: z.string().meta({ description: 'The new key, shown this once.' }),
  previous_expires_at: z.number().int().nullable(),
});
export const expireKeyBodySchema = z.strictObject({ last4: z.string().length(4) });
export const expiredKeySchema = z.object({
  expired: z.number().int(),
  secret_key: z
    .string()
    .nullable()
    .meta({ description: 'When the current key was expired: its replacement, shown once.' }),
});

export const originsBodySchema = z.strictObject({
  origins: z.array(z.string().max(255)).max(50),
});
export const originsSchema = z.object({ allowed_origins: z.array(z.string()) });

export const upiCollectBodySchema = z.strictObject({ enabled: z.boolean() });
export const upiCollectSchema = z.object({ upi_collect: z.boolean() });

export const replayBodySchema = z.strictObject({
  from: z.number().int().min(0).meta({ description: 'Unix seconds.' }),
  to: z.number().int().min(0).meta({ description: 'Unix seconds.' }),
});
export const replayedSchema = z.object({ replayed: z.number().int(), more: z.boolean() });

export type DashboardSession = z.infer<typeof sessionSchema>;
export type DashboardPaymentRow = z.infer<typeof paymentRowSchema>;
export type DashboardPayment = z.infer<typeof paymentViewSchema>;
export type DashboardOverview = z.infer<typeof overviewSchema>;
export type DashboardDevelopers = z.infer<typeof developersSchema>;
