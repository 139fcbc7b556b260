import { z } from 'zod';
import {
  intentIs,
  isTerminal,
  PAYMENT_INTENT_STATUSES,
  type PaymentIntentStatus,
  TERMINAL_STATUSES,
} from './intent-status.ts';
import { createdRangeShape, listQuery } from './list.ts';
import { metadataSchema } from './metadata.ts';
import { amountSchema, currencySchema, MAX_AMOUNT } from './money.ts';
import { paymentMethodDataSchema, paymentMethodTypeSchema } from './payment-method.ts';

export {
  intentIs,
  isTerminal,
  PAYMENT_INTENT_STATUSES,
  type PaymentIntentStatus,
  TERMINAL_STATUSES,
};
export const paymentIntentStatusSchema = z.enum(PAYMENT_INTENT_STATUSES);

export const CANCELLATION_REASONS = [
  'duplicate',
  'fraudulent',
  'requested_by_customer',
  'abandoned',
  'automatic',
] as const;

/** Seconds an intent stays open by default, and the bounds a merchant may set. */
export const EXPIRY_SECONDS = { default: 30 * 60, min: 60, max: 24 * 60 * 60 } as const;

const customerSchema = z
  .object({
    id: z.string().max(255).optional(),
    email: z.email().max(255).optional(),
    name: z.string().max(255).optional(),
    phone: z.string().max(40).optional(),
  })
  .strict();

export const createPaymentIntentBodySchema = z
  .object({
    amount: amountSchema,
    currency: currencySchema,
    order_id: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\w.:\-/#]+$/, 'may hold letters, digits and . _ - : / #')
      .meta({ description: "The merchant's order id; one open intent per order." }),
    description: z.string().max(1000).optional(),
    customer: customerSchema.optional(),
    metadata: metadataSchema.optional(),
    capture_method: z.enum(['automatic', 'manual']).default('automatic'),
    payment_method_types: z
      .array(paymentMethodTypeSchema)
      .min(1)
      .refine((a) => new Set(a).size === a.length, { message: 'must not repeat a type' })
      .optional()
      .meta({
        description:
          "Left out: every method this account's processors take in this mode, of card and UPI (both in test mode; with Stripe connected for live, card).",
      }),
    expires_in: z
      .number()
      .int()
      .min(EXPIRY_SECONDS.min)
      .max(EXPIRY_SECONDS.max)
      .optional()
      .meta({ description: 'Seconds until the intent expires (default 1800).' }),
    return_url: z.url({ protocol: /^https?$/ }).optional(),
    /** Server to server (seed 002): confirm at once with `payment_method`; the answer is
     * `processing` and the worker completes the payment. */
    confirm: z.boolean().optional(),
    payment_method: paymentMethodDataSchema.optional(),
  })
  .strict()
  .refine((b) => !b.confirm || b.payment_method, {
    message: 'is required when confirm is true',
    path: ['payment_method'],
  })
  .meta({ id: 'CreatePaymentIntent' });
export type CreatePaymentIntentBody = z.infer<typeof createPaymentIntentBodySchema>;

export const capturePaymentIntentBodySchema = z
  .object({ amount_to_capture: amountSchema.optional() })
  .strict()
  .meta({ id: 'CapturePaymentIntent' });

export const cancelPaymentIntentBodySchema = z
  .object({ cancellation_reason: z.enum(CANCELLATION_REASONS).optional() })
  .strict()
  .meta({ id: 'CancelPaymentIntent' });

export const confirmPaymentIntentBodySchema = z
  .object({
    client_secret: z.string().min(1),
    payment_method: paymentMethodDataSchema,
    return_url: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict()
  .meta({ id: 'ConfirmPaymentIntent' });
export type ConfirmPaymentIntentBody = z.infer<typeof confirmPaymentIntentBodySchema>;

export const lastPaymentErrorSchema = z.object({
  code: z.string(),
  decline_code: z.string().optional(),
  message: z.string(),
  payment_attempt: z.string(),
});

export const nextActionSchema = z.object({
  type: z.enum(['three_d_secure', 'redirect', 'upi_intent']),
  url: z.string().meta({
    description:
      'three_d_secure and redirect: the page the shopper goes to. upi_intent: the `upi://pay` link, shown as a QR code or opened in a UPI app.',
  }),
  test_url: z.string().optional().meta({
    description:
      "Test mode, upi_intent: the sandbox's stand-in for the shopper's UPI app, to approve or decline.",
  }),
});

export const paymentIntentSchema = z
  .object({
    id: z.string(),
    object: z.literal('payment_intent'),
    livemode: z.boolean(),
    amount: z.number().int(),
    amount_capturable: z.number().int(),
    amount_received: z.number().int(),
    amount_refunded: z.number().int(),
    currency: z.string(),
    status: paymentIntentStatusSchema,
    order_id: z.string(),
    description: z.string().nullable(),
    customer: customerSchema.nullable(),
    metadata: z.record(z.string(), z.string()),
    capture_method: z.enum(['automatic', 'manual']),
    payment_method_types: z.array(paymentMethodTypeSchema),
    client_secret: z.string(),
    checkout_url: z.string(),
    return_url: z.string().nullable(),
    last_payment_error: lastPaymentErrorSchema.nullable(),
    next_action: nextActionSchema.nullable(),
    latest_attempt: z.string().nullable(),
    failed_attempts: z.number().int(),
    cancellation_reason: z.string().nullable(),
    canceled_at: z.number().int().nullable(),
    expires_at: z.number().int(),
    created: z.number().int(),
  })
  .meta({ id: 'PaymentIntent' });
export type PaymentIntent = z.infer<typeof paymentIntentSchema>;

/** What the hosted page may see of an intent: nothing private to the merchant. */
export const clientPaymentIntentSchema = paymentIntentSchema
  .pick({
    id: true,
    amount: true,
    currency: true,
    status: true,
    description: true,
    payment_method_types: true,
    last_payment_error: true,
    next_action: true,
    expires_at: true,
    return_url: true,
    livemode: true,
  })
  .extend({
    object: z.literal('client_payment_intent'),
    merchant: z.object({
      name: z.string(),
      allowed_origins: z.array(z.string()).meta({
        description: 'Origins that may frame the page and hear its messages.',
      }),
      upi_collect: z.boolean().meta({
        description:
          'The merchant offers UPI collect (a request to a UPI ID); otherwise the page offers UPI by app and QR code only, as NPCI now asks.',
      }),
    }),
    attempts_remaining: z.number().int(),
    processor_fields: z.partialRecord(paymentMethodTypeSchema, z.string()).meta({
      description:
        "Methods the processor's own fields collect on the page (e.g. `card: stripe`): open a processor session for them instead of confirming with card details.",
    }),
    result: z
      .object({
        order_id: z.string(),
        signature: z.string().meta({
          description:
            'Hex HMAC-SHA256 of `order_id|payment_intent_id` for `onSuccess`; check it with verifyPaymentSignature.',
        }),
      })
      .optional()
      .meta({ description: 'Once paid (or held): what checkout.js hands onSuccess.' }),
  })
  .meta({ id: 'ClientPaymentIntent' });
export type ClientPaymentIntent = z.infer<typeof clientPaymentIntentSchema>;

export const openProcessorSessionBodySchema = z
  .object({
    client_secret: z.string().min(1),
    payment_method_type: paymentMethodTypeSchema,
  })
  .strict()
  .meta({ id: 'OpenProcessorSession' });

/** What the page mounts the processor's own fields with; only the page ever gets it. */
export const processorSessionSchema = z
  .object({
    object: z.literal('processor_session'),
    payment_attempt: z.string(),
    processor: z.string().meta({ example: 'stripe' }),
    publishable_key: z.string(),
    client_secret: z.string().meta({
      description:
        "The processor's client secret for this one payment (Stripe: the PaymentIntent's); it cannot read or move anything else.",
    }),
  })
  .meta({ id: 'ProcessorSession' });
export type ProcessorSession = z.infer<typeof processorSessionSchema>;

export const openedProcessorSessionSchema = z
  .object({
    payment_intent: clientPaymentIntentSchema,
    session: processorSessionSchema.nullable().meta({
      description: 'Null when the payment was settled meanwhile: follow `payment_intent`.',
    }),
  })
  .meta({ id: 'OpenedProcessorSession' });
export type OpenedProcessorSession = z.infer<typeof openedProcessorSessionSchema>;

export const completeProcessorSessionBodySchema = z
  .object({
    client_secret: z.string().min(1),
    processor_result: z.record(z.string().max(64), z.string().max(512)).optional().meta({
      description:
        "What the processor's fields handed the page when the shopper finished (Razorpay Checkout's razorpay_payment_id, razorpay_order_id and razorpay_signature): checked, never believed.",
    }),
  })
  .strict()
  .meta({ id: 'CompleteProcessorSession' });

const amountBound = (description: string) =>
  z.coerce.number().int().min(0).max(MAX_AMOUNT).optional().meta({ description });

/** The filters of the intents list, for lists that add their own (the dashboard's). */
export const paymentIntentFiltersShape = {
  status: paymentIntentStatusSchema.optional(),
  order_id: z.string().max(200).optional(),
  payment_method_type: paymentMethodTypeSchema
    .optional()
    .meta({ description: "Only intents whose latest attempt used this method ('card', 'upi')." }),
  currency: currencySchema.optional(),
  'amount[gte]': amountBound('Only intents of at least this amount, in minor units.'),
  'amount[lte]': amountBound('Only intents of at most this amount, in minor units.'),
  ...createdRangeShape,
};
export const listPaymentIntentsQuerySchema = listQuery(paymentIntentFiltersShape);
export type ListPaymentIntentsQuery = z.infer<typeof listPaymentIntentsQuerySchema>;

export const createPaymentIntentResponseSchema = paymentIntentSchema;
