import { z } from 'zod';
import { apiKeySchema } from './api-key.ts';
import { disputeSchema } from './dispute.ts';
import { EVENT_TYPES, type EventType } from './event.ts';
import { paymentIntentSchema } from './payment-intent.ts';
import { refundSchema } from './refund.ts';
import { webhookDeliverySchema } from './webhook.ts';

/** The object each event type carries in `data.object`: its snapshot after the change. */
const OBJECT_OF = {
  payment_intent: paymentIntentSchema,
  refund: refundSchema,
  dispute: disputeSchema,
  webhook_delivery: webhookDeliverySchema,
  api_key: apiKeySchema,
} as const;
type Prefix<T extends string> = T extends `${infer P}.${string}` ? P : never;
type ObjectSchemaOf<T extends EventType> = (typeof OBJECT_OF)[Prefix<T> & keyof typeof OBJECT_OF];

const DESCRIPTIONS: Record<EventType, string> = {
  'payment_intent.created': 'An intent was created.',
  'payment_intent.requires_action':
    'The shopper must act (3-D Secure, an external app) before the payment goes on.',
  'payment_intent.processing': 'The processor is working; the outcome comes later.',
  'payment_intent.amount_capturable_updated':
    'A manual-capture payment was authorised and is held: capture or cancel it.',
  'payment_intent.succeeded': 'The payment succeeded: fulfil the order.',
  'payment_intent.payment_failed':
    'An attempt failed (`last_payment_error` says why); the intent can be confirmed again.',
  'payment_intent.canceled': 'The intent was canceled (a held payment is released).',
  'payment_intent.expired': 'The intent expired unpaid.',
  'payment_intent.processor_mismatch':
    "The processor's record of a payment differs from the intent (amount, currency, mode or Kassa's ids): it was not recorded as paid. Do not ship; check the payment in your processor's dashboard.",
  'refund.created': 'A refund was created.',
  'refund.succeeded': 'A refund succeeded.',
  'refund.failed': 'A refund failed; the amount is refundable again.',
  'dispute.created':
    "The shopper's bank disputed a payment (a chargeback); answer it in your processor's dashboard.",
  'dispute.closed': 'A dispute was decided: `status` is `won` or `lost`.',
  'webhook_delivery.dead':
    'A delivery to one of your endpoints failed for the last time (not sent to that endpoint).',
  'api_key.rolled':
    'A secret key was rolled: `data.object` is the old key, with the time it stops working. The new key is never in an event.',
  'api_key.expired': 'A secret key was expired now (a leaked key): it no longer works.',
};

const pascal = (type: string) =>
  type
    .split(/[._]/)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');

function eventOf<T extends EventType>(type: T) {
  const object = OBJECT_OF[type.split('.')[0] as keyof typeof OBJECT_OF] as ObjectSchemaOf<T>;
  return z
    .object({
      id: z.string().meta({ example: 'evt_2Hq8…' }),
      object: z.literal('event'),
      type: z.literal(type),
      created: z.number().int().meta({ description: 'Unix seconds.' }),
      livemode: z.boolean(),
      data: z.object({ object }),
    })
    .meta({ id: `${pascal(type)}Event`, description: DESCRIPTIONS[type] });
}

type EventSchemas = { [T in EventType]: ReturnType<typeof eventOf<T>> };
/** One schema per event type, `type` → the exact `data.object`. */
export const eventSchemas = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, eventOf(t)]),
) as EventSchemas;

/** Every event Kassa sends or lists, discriminated by `type`. */
export const kassaEventSchema = z
  .discriminatedUnion(
    'type',
    EVENT_TYPES.map((t) => eventSchemas[t]) as unknown as [
      EventSchemas[EventType],
      ...EventSchemas[EventType][],
    ],
  )
  .meta({ id: 'Event' });

/** An event: narrow on `type` and `data.object` has that event's object type. */
export type KassaEvent = { [T in EventType]: z.infer<EventSchemas[T]> }[EventType];
/** One event type's event. */
export type KassaEventOf<T extends EventType> = Extract<KassaEvent, { type: T }>;

/** The kinds of object events are about. */
export type EventObjectKind = KassaEvent['data']['object']['object'];
/** The events about one kind of object (`data.object.object`). */
export type EventAbout<O extends EventObjectKind> = Extract<
  KassaEvent,
  { data: { object: { object: O } } }
>;
