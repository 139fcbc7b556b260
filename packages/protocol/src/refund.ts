import { z } from 'zod';
import { listQuery } from './list.ts';
import { metadataSchema } from './metadata.ts';
import { amountSchema } from './money.ts';

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export const createRefundBodySchema = z
  .object({
    payment_intent: z.string().min(1),
    /** Minor units; the whole refundable amount when left out. */
    amount: amountSchema.optional(),
    reason: z.enum(REFUND_REASONS).optional(),
    metadata: metadataSchema.optional(),
  })
  .strict()
  .meta({ id: 'CreateRefund' });
export type CreateRefundBody = z.infer<typeof createRefundBodySchema>;

export const refundSchema = z
  .object({
    id: z.string(),
    object: z.literal('refund'),
    livemode: z.boolean(),
    payment_intent: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    reason: z.string().nullable(),
    failure_reason: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    created: z.number().int(),
  })
  .meta({ id: 'Refund' });
export type Refund = z.infer<typeof refundSchema>;

export const listRefundsQuerySchema = listQuery({
  payment_intent: z
    .string()
    .max(64)
    .optional()
    .meta({ description: "Only one payment intent's refunds." }),
});
export type ListRefundsQuery = z.infer<typeof listRefundsQuerySchema>;
