import { z } from 'zod';
import { createdRangeShape, listQuery } from './list.ts';

export const EVENT_TYPES = [
  'payment_intent.created',
  'payment_intent.requires_action',
  'payment_intent.processing',
  'payment_intent.amount_capturable_updated',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.expired',
  'payment_intent.processor_mismatch',
  'refund.created',
  'refund.succeeded',
  'refund.failed',
  'dispute.created',
  'dispute.closed',
  'webhook_delivery.dead',
  'api_key.rolled',
  'api_key.expired',
] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

/** Every event selector: `*`, an object's events (`payment_intent.*`) or one type. */
export const EVENT_PATTERNS = [
  '*',
  ...[...new Set(EVENT_TYPES.map((t) => `${t.split('.')[0]}.*`))],
  ...EVENT_TYPES,
] as const;

/** `*`, `payment_intent.*` or an exact event type; an enum, so the document lists them. */
export const eventPatternSchema = z.enum(EVENT_PATTERNS as unknown as [string, ...string[]], {
  error:
    'must be *, an event type such as payment_intent.succeeded, or a prefix such as payment_intent.*',
});

/** Whether an event type is selected by a list of patterns. */
export function matchesEventPatterns(type: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );
}

export const listEventsQuerySchema = listQuery({
  type: eventPatternSchema.optional(),
  /** Only the events of one object, e.g. a payment intent's timeline. */
  object: z
    .string()
    .max(64)
    .optional()
    .meta({ description: "Only one object's events, e.g. a payment intent's timeline." }),
  ...createdRangeShape,
});
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;
