export { Kassa, type RequestOptions } from './client.ts';
export { KassaError, WebhookVerificationError } from './errors.ts';
export { isEventAbout } from './events.ts';
export type { ListCall } from './paging.ts';
export { paymentSignature, verifyPaymentSignature } from './payment-signature.ts';
export type { ClientOptions } from './request.ts';
export type * from './types.ts';
export { verifyWebhook, type WebhookHeaders } from './webhooks.ts';
