import { listCall } from './paging.ts';
import { type ClientOptions, createRequester } from './request.ts';
import type {
  CancelPaymentIntent,
  CapturePaymentIntent,
  CreatePaymentIntent,
  CreateRefund,
  CreateWebhookEndpoint,
  EventListParams,
  KassaEvent,
  List,
  PageParams,
  PaymentIntent,
  PaymentIntentListParams,
  Refund,
  RefundListParams,
  RotateWebhookSecret,
  UpdateWebhookEndpoint,
  WebhookDelivery,
  WebhookEndpoint,
} from './types.ts';
import { verifyWebhook, type WebhookHeaders } from './webhooks.ts';

/** Per call: your own Idempotency-Key (e.g. your order id and the action). */
export interface RequestOptions {
  idempotencyKey?: string;
}
type Opts = RequestOptions;

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

  constructor(secretKey: string | undefined, options: ClientOptions) {
    if (!secretKey || !/^sk_(test|live)_/.test(secretKey)) {
      throw new Error('Kassa: pass your secret key (sk_test_… or sk_live_…)');
    }
    const r = createRequester(secretKey, options);
    this.paymentIntents = {
      create: (body: CreatePaymentIntent, o: Opts = {}) =>
        r<PaymentIntent>('POST', '/v1/payment_intents', body, o),
      retrieve: (id: string) =>
        r<PaymentIntent>('GET', `/v1/payment_intents/${encodeURIComponent(id)}`),
      list: (params: PaymentIntentListParams = {}) =>
        listCall(params, (query) =>
          r<List<PaymentIntent>>('GET', '/v1/payment_intents', undefined, { query }),
        ),
      cancel: (id: string, body: CancelPaymentIntent = {}, o: Opts = {}) =>
        r<PaymentIntent>('POST', `/v1/payment_intents/${encodeURIComponent(id)}/cancel`, body, o),
      capture: (id: string, body: CapturePaymentIntent = {}, o: Opts = {}) =>
        r<PaymentIntent>('POST', `/v1/payment_intents/${encodeURIComponent(id)}/capture`, body, o),
    };
    this.refunds = {
      create: (body: CreateRefund, o: Opts = {}) => r<Refund>('POST', '/v1/refunds', body, o),
      retrieve: (id: string) => r<Refund>('GET', `/v1/refunds/${encodeURIComponent(id)}`),
      list: (params: RefundListParams = {}) =>
        listCall(params, (query) => r<List<Refund>>('GET', '/v1/refunds', undefined, { query })),
    };
    this.events = {
      list: (params: EventListParams = {}) =>
        listCall(params, (query) => r<List<KassaEvent>>('GET', '/v1/events', undefined, { query })),
      retrieve: (id: string) => r<KassaEvent>('GET', `/v1/events/${encodeURIComponent(id)}`),
      redeliver: (id: string, body: { endpoint?: string } = {}, o: Opts = {}) =>
        r<{ event: string; deliveries: string[] }>(
          'POST',
          `/v1/events/${encodeURIComponent(id)}/redeliver`,
          body,
          o,
        ),
    };
    this.webhookEndpoints = {
      create: (body: CreateWebhookEndpoint, o: Opts = {}) =>
        r<WebhookEndpoint & { secret: string }>('POST', '/v1/webhook_endpoints', body, o),
      retrieve: (id: string) =>
        r<WebhookEndpoint>('GET', `/v1/webhook_endpoints/${encodeURIComponent(id)}`),
      list: (params: PageParams = {}) =>
        listCall(params, (query) =>
          r<List<WebhookEndpoint>>('GET', '/v1/webhook_endpoints', undefined, { query }),
        ),
      update: (id: string, body: UpdateWebhookEndpoint) =>
        r<WebhookEndpoint>('PATCH', `/v1/webhook_endpoints/${encodeURIComponent(id)}`, body),
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
      rotateSecret: (id: string, body: RotateWebhookSecret = {}, o: Opts = {}) =>
        r<WebhookEndpoint & { secret: string }>(
          'POST',
          `/v1/webhook_endpoints/${encodeURIComponent(id)}/rotate_secret`,
          body,
          o,
        ),
      deliveries: (id: string, params: PageParams = {}) =>
        listCall(params, (query) =>
          r<List<WebhookDelivery>>(
            'GET',
            `/v1/webhook_endpoints/${encodeURIComponent(id)}/deliveries`,
            undefined,
            { query },
          ),
        ),
    };
    this.webhookDeliveries = {
      retry: (id: string, o: Opts = {}) =>
        r<WebhookDelivery>(
          'POST',
          `/v1/webhook_deliveries/${encodeURIComponent(id)}/retry`,
          undefined,
          o,
        ),
    };
  }
}
