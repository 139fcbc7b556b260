import { z } from 'zod';

export const EVENT_TYPES = [
  'payment_intent.created',
  'payment_intent.requires_action',
  'payment_intent.processing',
  'payment_intent.amount_capturable_updated',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.expired',
  'refund.created',
  'refund.succeeded',
  'refund.failed',
] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

/** An append-only record of one state change, with a snapshot of the object after it. */
export const eventSchema = z
  .object({
    id: z.string(),
    object: z.literal('event'),
    type: eventTypeSchema,
    livemode: z.boolean(),
    created: z.number().int(),
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  })
  .meta({ id: 'Event' });
export type KassaEvent = z.infer<typeof eventSchema>;
