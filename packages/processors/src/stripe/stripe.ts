import Stripe from 'stripe';
import { NotificationError } from '../notification-error.ts';
import type {
  CredentialField,
  Processor,
  ProcessorCredentials,
  ProcessorNotification,
  SettlementRow,
} from '../processor.ts';
import { amountProblem, fromStripeAmount, toStripeAmount } from './amounts.ts';
import { disputeOf, outcomeOf, paymentIntentId, refundOutcomeOf } from './outcomes.ts';

export interface StripeOptions {
  /** Where Stripe's API is; left out, Stripe itself. Tests point it at the fake Stripe. */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
  /** Per request, in ms. Default 20000. */
  timeoutMs?: number;
  /** Retries of a failed network call, each with the same idempotency key. Default 2. */
  maxNetworkRetries?: number;
  /** Seconds a webhook's signature stays valid (Stripe's own default: 300). */
  webhookToleranceSeconds?: number;
}

/** What a merchant gives Kassa of their Stripe account, per mode. */
export const STRIPE_CREDENTIALS: readonly CredentialField[] = [
  {
    name: 'secret_key',
    secret: true,
    required: true,
    pattern: /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/,
    description: 'Secret (or restricted) API key, sk_test_… or sk_live_…',
  },
  {
    name: 'publishable_key',
    secret: false,
    required: true,
    pattern: /^pk_(test|live)_[A-Za-z0-9]+$/,
    description: 'Publishable key for the payment page, pk_test_… or pk_live_…',
  },
  {
    name: 'webhook_secret',
    secret: true,
    required: true,
    pattern: /^whsec_[A-Za-z0-9]+$/,
    description: "Signing secret of the webhook endpoint you add in Stripe's dashboard, whsec_…",
  },
];

/** The Stripe.js and Elements sources Stripe documents for a Content-Security-Policy. */
export const STRIPE_PAGE_SOURCES = {
  script: ['https://js.stripe.com'],
  frame: ['https://js.stripe.com', 'https://hooks.stripe.com'],
  connect: ['https://api.stripe.com'],
} as const;

/** Stripe's events Kassa acts on; Stripe sends only these when the endpoint lists them. */
export const STRIPE_WEBHOOK_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.processing',
  'payment_intent.payment_failed',
  'payment_intent.amount_capturable_updated',
  'payment_intent.canceled',
  'charge.refunded',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;

function need(credentials: ProcessorCredentials | undefined, name: string): string {
  const value = credentials?.[name];
  if (!value) throw new Error(`stripe: the merchant's ${name} is not set`);
  return value;
}

/**
 * Stripe through the official `stripe` package. The card is typed into Stripe's Payment
 * Element on the payment page: the gateway opens a PaymentIntent (idempotency key: the
 * attempt id), hands the page its client secret, and afterwards asks Stripe — never the
 * browser — how it ended. Every call that moves money carries the gateway's operation id
 * as Stripe's idempotency key, so a retry after a timeout moves nothing twice.
 *
 * @example
 * const stripe = createStripeProcessor();
 * const session = await stripe.openSession({ attemptId: 'pa_1', intentId: 'pi_1', merchantId: 'mer_1',
 *   amount: 1000, currency: 'EUR', captureMethod: 'automatic', paymentMethodType: 'card',
 *   returnUrl: 'https://pay.example/pay/pi_1', credentials });
 * // => { reference: 'pi_3…', page: { publishableKey: 'pk_test_…', clientSecret: 'pi_3…_secret_…' } }
 */
export function createStripeProcessor(options: StripeOptions = {}) {
  const clients = new Map<string, Stripe>();
  const tolerance = options.webhookToleranceSeconds ?? 300;

  function client(credentials: ProcessorCredentials | undefined): Stripe {
    const key = need(credentials, 'secret_key');
    let stripe = clients.get(key);
    if (!stripe) {
      stripe = new Stripe(key, {
        maxNetworkRetries: options.maxNetworkRetries ?? 2,
        timeout: options.timeoutMs ?? 20_000,
        appInfo: { name: 'Kassa', url: 'https://github.com/kassa' },
        telemetry: false,
        ...(options.api ?? {}),
      });
      clients.set(key, stripe);
    }
    return stripe;
  }

  const processor = {
    id: 'stripe',
    capabilities: {
      modes: ['test', 'live'],
      paymentMethods: ['card'],
      manualCapture: true,
      partialCapture: true,
      refunds: true,
      threeDSecure: true,
      fields: 'processor',
      // A PaymentIntent awaiting payment or authentication can be canceled.
      cancelPending: true,
      credentials: STRIPE_CREDENTIALS,
      pageSources: STRIPE_PAGE_SOURCES,
    },

    modeOfCredentials(credentials) {
      const modes = ['secret_key', 'publishable_key']
        .map((name) => /_(test|live)_/.exec(credentials[name] ?? '')?.[1])
        .filter(Boolean);
      const [first] = modes;
      return first && modes.every((m) => m === first) ? (first as 'test' | 'live') : null;
    },

    amountProblem,

    async openSession(req) {
      const pi = await client(req.credentials).paymentIntents.create(
        {
          amount: toStripeAmount(req.amount, req.currency),
          currency: req.currency.toLowerCase(),
          capture_method: req.captureMethod === 'manual' ? 'manual' : 'automatic',
          allowed_payment_method_types: [
            req.paymentMethodType as Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType,
          ],
          metadata: {
            kassa_payment_intent: req.intentId,
            kassa_payment_attempt: req.attemptId,
            kassa_merchant: req.merchantId,
          },
        },
        { idempotencyKey: `kassa_${req.attemptId}` },
      );
      if (!pi.client_secret) throw new Error('stripe: the PaymentIntent has no client secret');
      return {
        reference: pi.id,
        page: {
          publishableKey: need(req.credentials, 'publishable_key'),
          clientSecret: pi.client_secret,
        },
      };
    },

    async retrieve(req) {
      return outcomeOf(await client(req.credentials).paymentIntents.retrieve(req.reference));
    },

    async capture(req) {
      const pi = await client(req.credentials).paymentIntents.capture(
        req.reference,
        { amount_to_capture: toStripeAmount(req.amount, req.currency) },
        { idempotencyKey: req.operationId },
      );
      return outcomeOf(pi);
    },

    async cancel(req) {
      const stripe = client(req.credentials);
      try {
        const pi = await stripe.paymentIntents.cancel(
          req.reference,
          {},
          { idempotencyKey: req.operationId },
        );
        return { canceled: pi.status === 'canceled' };
      } catch (err) {
        // Already canceled (by Stripe, or by an earlier call whose answer was lost), or
        // too late (paid): say which, from the PaymentIntent itself.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) throw err;
        const pi = await stripe.paymentIntents.retrieve(req.reference);
        return { canceled: pi.status === 'canceled' };
      }
    },

    async refund(req) {
      try {
        const refund = await client(req.credentials).refunds.create(
          {
            payment_intent: req.reference,
            amount: toStripeAmount(req.amount, req.currency),
            metadata: { kassa_operation: req.operationId },
          },
          { idempotencyKey: req.operationId },
        );
        return refundOutcomeOf(refund);
      } catch (err) {
        // Stripe refused the refund itself (more than is left, a disputed charge): final.
        // Network and server errors are thrown, and the gateway retries with the same id.
        if (err instanceof Stripe.errors.StripeInvalidRequestError) {
          return { status: 'failed', reference: `refused_${req.operationId}` };
        }
        throw err;
      }
    },

    async parseNotification(req): Promise<ProcessorNotification> {
      const secret = need(req.credentials, 'webhook_secret');
      const signature = req.headers['stripe-signature'];
      if (!signature) throw new NotificationError('invalid_signature', 'No Stripe-Signature.');
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(
          req.rawBody,
          signature,
          secret,
          tolerance,
          undefined,
          req.now,
        );
      } catch (err) {
        throw new NotificationError('invalid_signature', (err as Error).message);
      }
      return notificationOf(event);
    },

    async settlementReport(req) {
      const rows: SettlementRow[] = [];
      const list = client(req.credentials).balanceTransactions.list({
        created: { gte: Math.floor(req.from / 1000), lt: Math.ceil(req.to / 1000) },
        limit: 100,
        expand: ['data.source'],
      });
      for await (const tx of list) {
        const row = settlementRowOf(tx);
        if (row) rows.push(row);
      }
      return rows;
    },
  } satisfies Processor & { amountProblem: typeof amountProblem };
  return processor;
}

export type StripeProcessor = ReturnType<typeof createStripeProcessor>;

/** A verified Stripe event as one of Kassa's notification kinds. */
function notificationOf(event: Stripe.Event): ProcessorNotification {
  const id = event.id;
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.processing':
    case 'payment_intent.payment_failed':
    case 'payment_intent.amount_capturable_updated':
    case 'payment_intent.canceled': {
      const pi = event.data.object;
      return { kind: 'payment', id, reference: pi.id, outcome: outcomeOf(pi) };
    }
    case 'charge.refunded': {
      // The charge lists its refunds; the newest is the one this event is about.
      const charge = event.data.object;
      const reference = paymentIntentId(charge.payment_intent);
      const refund = charge.refunds?.data[0];
      if (!reference || !refund) return { kind: 'ignored', id, type: event.type };
      return { kind: 'refund', id, reference, refund: refundOutcomeOf(refund) };
    }
    case 'refund.updated':
    case 'refund.failed': {
      const refund = event.data.object;
      const reference = paymentIntentId(refund.payment_intent);
      if (!reference) return { kind: 'ignored', id, type: event.type };
      return { kind: 'refund', id, reference, refund: refundOutcomeOf(refund) };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const reference = paymentIntentId(dispute.payment_intent);
      if (!reference) return { kind: 'ignored', id, type: event.type };
      return { kind: 'dispute', id, reference, dispute: disputeOf(dispute) };
    }
    default:
      return { kind: 'ignored', id, type: event.type };
  }
}

/** A balance transaction as a settlement row: one per paid charge, keyed by its
 * PaymentIntent, as the reconciliation compares payments. */
function settlementRowOf(tx: Stripe.BalanceTransaction): SettlementRow | null {
  const source = tx.source;
  if (!source || typeof source === 'string') return null;
  const currency = tx.currency.toUpperCase();
  const base = { settled_at: tx.created * 1000, currency };
  if (source.object === 'charge') {
    const reference = paymentIntentId(source.payment_intent);
    if (!reference) return null;
    const status = source.status === 'succeeded' ? 'succeeded' : 'failed';
    return { ...base, reference, amount: fromStripeAmount(source.amount, currency), status };
  }
  return null;
}
