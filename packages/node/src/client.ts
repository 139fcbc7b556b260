import type {
  KassaEvent,
  PaymentIntent,
  Refund,
  WebhookDelivery,
  WebhookEndpoint,
} from '@kassa/protocol';
import { type ClientOptions, createRequester } from './request.ts';
import { verifyWebhook, type WebhookHeaders } from './webhooks.ts';

export interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

type Query = Record<string, string | number | undefined>;
type Opts = { idempotencyKey?: string };

export interface CreatePaymentIntent {
  amount: number;
  currency: string;
  order_id: string;
  description?: string;
  customer?: { id?: string; email?: string; name?: string; phone?: string };
  metadata?: Record<string, string>;
  capture_method?: 'automatic' | 'manual';
  payment_method_types?: ('card' | 'upi')[];
  expires_in?: number;
  return_url?: string;
}

/**
 * The Kassa API for a merchant's server. Every POST carries an Idempotency-Key (yours,
 * or one made per call and kept across its own retries); 5xx answers and network errors
 * are retried.
 *
 * @example
 * const kassa = new Kassa(process.env.KASSA_SECRET_KEY, { baseUrl: 'http://localhost:8000' });
 * const intent = await kassa.paymentIntents.create(
 *   { amount: 1999, currency: 'usd', order_id: order.id },
 *   { idempotencyKey: order.id },
 * );
 */
export class Kassa {
  readonly paymentIntents;
  readonly refunds;
  readonly events;
  readonly webhookEndpoints;
  readonly webhookDeliveries;
  readonly webhooks = {
    /** See `verifyWebhook`. */
    verify: (rawBody: string | Buffer, headers: WebhookHeaders, secret: string): KassaEvent =>
      verifyWebhook(rawBody, headers, secret),
  };

  constructor(secretKey: string, options: ClientOptions) {
    if (!/^sk_(test|live)_/.test(secretKey)) {
      throw new Error('Kassa: pass your secret key (sk_test_… or sk_live_…)');
    }
    const r = createRequester(secretKey, options);
    this.paymentIntents = {
      create: (body: CreatePaymentIntent, o: Opts = {}) =>
        r<PaymentIntent>('POST', '/v1/payment_intents', body, o),
      retrieve: (id: string) =>
        r<PaymentIntent>('GET', `/v1/payment_intents/${encodeURIComponent(id)}`),
      list: (query: Query = {}) =>
        r<List<PaymentIntent>>('GET', '/v1/payment_intents', undefined, { query }),
      cancel: (id: string, body: { cancellation_reason?: string } = {}, o: Opts = {}) =>
        r<PaymentIntent>('POST', `/v1/payment_intents/${encodeURIComponent(id)}/cancel`, body, o),
      capture: (id: string, body: { amount_to_capture?: number } = {}, o: Opts = {}) =>
        r<PaymentIntent>('POST', `/v1/payment_intents/${encodeURIComponent(id)}/capture`, body, o),
    };
    this.refunds = {
      create: (
        body: {
          payment_intent: string;
          amount?: number;
          reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
          metadata?: Record<string, string>;
        },
        o: Opts = {},
      ) => r<Refund>('POST', '/v1/refunds', body, o),
      retrieve: (id: string) => r<Refund>('GET', `/v1/refunds/${encodeURIComponent(id)}`),
      list: (query: { payment_intent?: string; limit?: number } = {}) =>
        r<List<Refund>>('GET', '/v1/refunds', undefined, { query }),
    };
    this.events = {
      list: (query: Query = {}) => r<List<KassaEvent>>('GET', '/v1/events', undefined, { query }),
      retrieve: (id: string) => r<KassaEvent>('GET', `/v1/events/${encodeURIComponent(id)}`),
      redeliver: (id: string, body: { endpoint?: string } = {}) =>
        r<{ event: string; deliveries: string[] }>(
          'POST',
          `/v1/events/${encodeURIComponent(id)}/redeliver`,
          body,
        ),
    };
    this.webhookEndpoints = {
      create: (
        body: { url: string; enabled_events?: string[]; description?: string },
        o: Opts = {},
      ) => r<WebhookEndpoint & { secret: string }>('POST', '/v1/webhook_endpoints', body, o),
      retrieve: (id: string) =>
        r<WebhookEndpoint>('GET', `/v1/webhook_endpoints/${encodeURIComponent(id)}`),
      list: () => r<List<WebhookEndpoint>>('GET', '/v1/webhook_endpoints'),
      update: (
        id: string,
        body: {
          url?: string;
          enabled_events?: string[];
          description?: string | null;
          status?: 'enabled' | 'disabled';
        },
      ) => r<WebhookEndpoint>('PATCH', `/v1/webhook_endpoints/${encodeURIComponent(id)}`, body),
      del: (id: string) =>
        r<{ id: string; deleted: true }>(
          'DELETE',
          `/v1/webhook_endpoints/${encodeURIComponent(id)}`,
        ),
      revealSecret: (id: string) =>
        r<{ secret: string; previous_secret_expires_at: number | null }>(
          'GET',
          `/v1/webhook_endpoints/${encodeURIComponent(id)}/secret`,
        ),
      rotateSecret: (id: string, body: { expires_in?: number } = {}) =>
        r<WebhookEndpoint & { secret: string }>(
          'POST',
          `/v1/webhook_endpoints/${encodeURIComponent(id)}/rotate_secret`,
          body,
        ),
      deliveries: (id: string, query: Query = {}) =>
        r<List<WebhookDelivery>>(
          'GET',
          `/v1/webhook_endpoints/${encodeURIComponent(id)}/deliveries`,
          undefined,
          { query },
        ),
    };
    this.webhookDeliveries = {
      retry: (id: string) =>
        r<WebhookDelivery>('POST', `/v1/webhook_deliveries/${encodeURIComponent(id)}/retry`),
    };
  }
}
