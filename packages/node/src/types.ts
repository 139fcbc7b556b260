// The API's shapes for @kassa/node, derived from the gateway's own schemas (type-only:
// nothing of them runs in this package).
import type * as p from '@kassa/protocol';
import type { z } from 'zod';

export type {
  ErrorBody,
  EventAbout,
  EventObjectKind,
  EventType,
  KassaEvent,
  KassaEventOf,
  PaymentIntent,
  PaymentIntentStatus,
  Refund,
  WebhookDelivery,
  WebhookEndpoint,
} from '@kassa/protocol';

/** The body of `paymentIntents.create`. */
export type CreatePaymentIntent = z.input<typeof p.createPaymentIntentBodySchema>;
export type CapturePaymentIntent = z.input<typeof p.capturePaymentIntentBodySchema>;
export type CancelPaymentIntent = z.input<typeof p.cancelPaymentIntentBodySchema>;
export type CreateRefund = z.input<typeof p.createRefundBodySchema>;
export type CreateWebhookEndpoint = z.input<typeof p.createWebhookEndpointBodySchema>;
export type UpdateWebhookEndpoint = z.input<typeof p.updateWebhookEndpointBodySchema>;
export type RotateWebhookSecret = z.input<typeof p.rotateSecretBodySchema>;

/** A list's filters and cursor, every one optional. */
type Filters<S extends z.ZodType> = Partial<z.output<S>>;
export type PageParams = Filters<typeof p.pageQuerySchema>;
export type PaymentIntentListParams = Filters<typeof p.listPaymentIntentsQuerySchema>;
export type EventListParams = Filters<typeof p.listEventsQuerySchema>;
export type RefundListParams = Filters<typeof p.listRefundsQuerySchema>;

/** One page of a list. */
export type List<T> = p.List<T>;
