export {
  type EventAbout,
  type EventType,
  isEventAbout,
  type KassaEvent,
  type KassaEventOf,
  type PaymentIntent,
  type Refund,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '@kassa/protocol';
export { type CreatePaymentIntent, Kassa, type List } from './client.ts';
export { KassaError, WebhookVerificationError } from './errors.ts';
export { paymentSignature, verifyPaymentSignature } from './payment-signature.ts';
export type { ClientOptions } from './request.ts';
export { verifyWebhook, type WebhookHeaders } from './webhooks.ts';
