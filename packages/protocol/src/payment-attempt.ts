import { z } from 'zod';
import { paymentMethodDetailsSchema } from './payment-method.ts';

export const ATTEMPT_STATUSES = [
  'pending',
  'requires_action',
  'processing',
  'authorized',
  'succeeded',
  'failed',
  /** Paid at the processor after Kassa gave the attempt up (the shopper left, or another
   * attempt paid first), and given back there automatically: refunded or released. */
  'returned',
] as const;

export const paymentAttemptSchema = z
  .object({
    id: z.string(),
    object: z.literal('payment_attempt'),
    payment_intent: z.string(),
    status: z.enum(ATTEMPT_STATUSES),
    payment_method: paymentMethodDetailsSchema,
    processor: z.string(),
    processor_reference: z.string().nullable(),
    decline_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    created: z.number().int(),
  })
  .meta({ id: 'PaymentAttempt' });
export type PaymentAttempt = z.infer<typeof paymentAttemptSchema>;
