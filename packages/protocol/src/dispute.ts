import { z } from 'zod';

/**
 * A dispute (chargeback) the shopper's bank opened on a payment, as the processor reported
 * it. Kassa passes it on as `dispute.created` and `dispute.closed` events; evidence is
 * answered in the processor's own dashboard.
 */
export const disputeSchema = z
  .object({
    id: z.string().meta({ example: 'dp_2Hq8…' }),
    object: z.literal('dispute'),
    livemode: z.boolean(),
    payment_intent: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(['open', 'won', 'lost']),
    /** The processor's reason code, e.g. `fraudulent`. */
    reason: z.string(),
    processor: z.string(),
    /** The processor's own id of the dispute. */
    processor_reference: z.string(),
  })
  .meta({ id: 'Dispute' });
export type Dispute = z.infer<typeof disputeSchema>;
