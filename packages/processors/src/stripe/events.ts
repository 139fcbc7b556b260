import type Stripe from 'stripe';
import { z } from 'zod';
import { NotificationError } from '../notification-error.ts';
import type { ProcessorNotification } from '../processor.ts';
import { disputeOf, outcomeOf, paymentIntentId, refundOutcomeOf } from './outcomes.ts';

/** Stripe's events Kassa acts on; Stripe sends only these when the endpoint lists them. */
export const STRIPE_WEBHOOK_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.processing',
  'payment_intent.requires_action',
  'payment_intent.payment_failed',
  'payment_intent.amount_capturable_updated',
  'payment_intent.canceled',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const;

/*
 * The fields Kassa reads of each object, with their types: an event that is signed but
 * not of this shape (a field of another type, an object of another kind) is refused as
 * malformed before anything reads it. The event is only a trigger: the gateway asks
 * Stripe for the object itself before any money state moves.
 */
const id = z.string().min(1).max(255);
const expandable = z
  .union([id, z.object({ id }).loose()])
  .nullable()
  .optional();
const metadata = z.record(z.string(), z.string()).optional();

const paymentIntent = z
  .object({
    id,
    object: z.literal('payment_intent'),
    amount: z.number().int().nonnegative(),
    amount_received: z.number().int().nonnegative().optional(),
    currency: z.string().min(3).max(3),
    status: z.string(),
    livemode: z.boolean(),
    capture_method: z.string().optional(),
    cancellation_reason: z.string().nullable().optional(),
    metadata,
    last_payment_error: z
      .object({
        code: z.string().optional(),
        decline_code: z.string().optional(),
        message: z.string().optional(),
      })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();

const refund = z
  .object({
    id,
    object: z.literal('refund'),
    amount: z.number().int().nonnegative(),
    currency: z.string().min(3).max(3),
    status: z.string().nullable(),
    payment_intent: expandable,
    metadata,
    failure_reason: z.string().nullable().optional(),
  })
  .loose();

const dispute = z
  .object({
    id,
    object: z.literal('dispute'),
    amount: z.number().int().nonnegative(),
    currency: z.string().min(3).max(3),
    status: z.string(),
    reason: z.string(),
    livemode: z.boolean(),
    payment_intent: expandable,
  })
  .loose();

const OBJECTS: Record<string, z.ZodType> = {
  payment_intent: paymentIntent,
  refund,
  dispute,
};

const event = z
  .object({
    id,
    object: z.literal('event'),
    type: z.string().min(1).max(100),
    livemode: z.boolean(),
    data: z.object({ object: z.object({ object: z.string() }).loose() }),
  })
  .loose();

/** The object an event type carries, for the types Kassa acts on. */
function kindOf(type: string): 'payment_intent' | 'refund' | 'dispute' | null {
  if (type.startsWith('payment_intent.')) return 'payment_intent';
  if (type.startsWith('refund.') || type === 'charge.refund.updated') return 'refund';
  if (type.startsWith('charge.dispute.')) return 'dispute';
  return null;
}

const malformed = (what: string) =>
  new NotificationError('malformed_notification', `This Stripe event is not well formed: ${what}.`);

/**
 * A verified Stripe event as one of Kassa's notification kinds, after checking that it
 * has the shape of the pinned API version for the fields Kassa reads. Events of other
 * types (`charge.refunded` among them: Stripe no longer lists a charge's refunds in it;
 * `refund.updated` says the same of each refund) are acknowledged and dropped.
 */
export function notificationOf(raw: unknown): ProcessorNotification {
  const parsed = event.safeParse(raw);
  if (!parsed.success) throw malformed(parsed.error.issues[0]?.path.join('.') || 'the event');
  const { id: eventId, type, livemode } = parsed.data;
  const kind = kindOf(type);
  if (!kind) return { kind: 'ignored', id: eventId, type, livemode };
  const schema = OBJECTS[kind] as z.ZodType;
  const object = schema.safeParse(parsed.data.data.object);
  if (!object.success) {
    throw malformed(`data.object.${object.error.issues[0]?.path.join('.') || 'object'}`);
  }
  // The shape was checked above for every field read below.
  const o = object.data as never;
  switch (kind) {
    case 'payment_intent': {
      const pi = o as Stripe.PaymentIntent;
      return { kind: 'payment', id: eventId, livemode, reference: pi.id, outcome: outcomeOf(pi) };
    }
    case 'refund': {
      const r = o as Stripe.Refund;
      const reference = paymentIntentId(r.payment_intent);
      if (!reference) return { kind: 'ignored', id: eventId, type, livemode };
      return {
        kind: 'refund',
        id: eventId,
        livemode,
        reference,
        refund: refundOutcomeOf(r),
        operationId: r.metadata?.kassa_operation,
      };
    }
    case 'dispute': {
      const d = o as Stripe.Dispute;
      const reference = paymentIntentId(d.payment_intent);
      if (!reference) return { kind: 'ignored', id: eventId, type, livemode };
      return { kind: 'dispute', id: eventId, livemode, reference, dispute: disputeOf(d) };
    }
  }
}
