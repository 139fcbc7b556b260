import { z } from 'zod';

/** `redirect`: the shopper pays in an external payment app and comes back (seed 001). */
export const PAYMENT_METHOD_TYPES = ['card', 'upi', 'redirect'] as const;
export const paymentMethodTypeSchema = z.enum(PAYMENT_METHOD_TYPES);
export type PaymentMethodType = z.infer<typeof paymentMethodTypeSchema>;

const digits = (field: string, min: number, max: number) =>
  z
    .string()
    .transform((s) => s.replace(/[\s-]/g, ''))
    .refine((s) => /^\d+$/.test(s) && s.length >= min && s.length <= max, {
      message: `${field} must be ${min === max ? min : `${min} to ${max}`} digits`,
    });

/** Raw card details as the shopper typed them. Only ever held in memory. */
export const cardDetailsSchema = z
  .object({
    number: digits('card number', 12, 19),
    exp_month: z.coerce.number().int().min(1, 'must be 1 to 12').max(12, 'must be 1 to 12'),
    exp_year: z.coerce
      .number()
      .int()
      .transform((y) => (y < 100 ? 2000 + y : y))
      .refine((y) => y >= 2000 && y <= 2100, { message: 'must be a four-digit year' }),
    cvc: digits('CVC', 3, 4),
    name: z.string().trim().max(100).optional(),
  })
  .strict();
export type CardDetails = z.infer<typeof cardDetailsSchema>;

/** A UPI virtual payment address such as `name@bank`. */
export const vpaSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,256}@[a-z][a-z0-9]{1,63}$/, 'must be a UPI address such as name@bank');

/**
 * UPI, two ways: a collect request sent to the shopper's UPI ID (`collect`, the default,
 * with `vpa`), or a payment the shopper starts in their own UPI app (`intent`): the answer
 * is `requires_action` with a `upi_intent` next action whose `upi://pay` link the page
 * shows as a QR code or opens in an app.
 */
export const upiDataSchema = z
  .object({
    flow: z.enum(['collect', 'intent']).optional().meta({ description: 'Default collect.' }),
    vpa: vpaSchema.optional(),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.flow !== 'intent' && !u.vpa) {
      ctx.addIssue({ code: 'custom', path: ['vpa'], message: 'is required for a collect request' });
    }
    if (u.flow === 'intent' && u.vpa) {
      ctx.addIssue({ code: 'custom', path: ['vpa'], message: 'must be left out for flow intent' });
    }
  });
export type UpiData = z.infer<typeof upiDataSchema>;

export const paymentMethodDataSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('card'), card: cardDetailsSchema }).strict(),
    z.object({ type: z.literal('upi'), upi: upiDataSchema }).strict(),
    z.object({ type: z.literal('redirect') }).strict(),
  ])
  .meta({ id: 'PaymentMethodData' });
export type PaymentMethodData = z.infer<typeof paymentMethodDataSchema>;

export const CARD_BRANDS = [
  'visa',
  'mastercard',
  'amex',
  'discover',
  'diners',
  'jcb',
  'unionpay',
  'maestro',
  'rupay',
  'unknown',
] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

/** What is kept of a payment method: never the number or CVC. */
export const paymentMethodDetailsSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('card'),
      card: z.object({
        brand: z.enum(CARD_BRANDS),
        last4: z.string(),
        exp_month: z.number().int(),
        exp_year: z.number().int(),
        fingerprint: z.string(),
      }),
    }),
    z.object({
      type: z.literal('upi'),
      upi: z.object({ flow: z.enum(['collect', 'intent']), vpa: z.string().nullable() }),
    }),
    z.object({ type: z.literal('redirect') }),
  ])
  .meta({ id: 'PaymentMethodDetails' });
export type PaymentMethodDetails = z.infer<typeof paymentMethodDetailsSchema>;
