import type Stripe from 'stripe';
import { NotificationError } from '../notification-error.ts';
import type {
  CredentialField,
  Processor,
  ProcessorCredentials,
  ProcessorNotification,
  SettlementRow,
} from '../processor.ts';
import { processorRefusal } from '../processor-error.ts';
import { isRefusedRefund, refusedRefundOf } from '../refused-refund.ts';
import { amountProblem, fromStripeAmount, toStripeAmount } from './amounts.ts';
import { atStripe } from './errors.ts';
import { notificationOf, STRIPE_WEBHOOK_EVENTS } from './events.ts';
import { disputeOf, outcomeOf, paymentIntentId, refundRecordOf } from './outcomes.ts';

export { STRIPE_WEBHOOK_EVENTS };

export interface StripeOptions {
  /** Where Stripe's API is; left out, Stripe itself. Tests point it at the fake Stripe. */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
  /**
   * How long the gateway waits for one call, retries included (its processor timeout,
   * KASSA_PROCESSOR_TIMEOUT_MS). Each try's timeout is fitted inside it with stripe-node's
   * own backoff between tries, so no retry is still under way at Stripe after the gateway
   * gave the call up. Default 30000.
   */
  callBudgetMs?: number;
  /** Retries of a failed network call, each with the same idempotency key. Default 2. */
  maxNetworkRetries?: number;
  /** Seconds a webhook's signature stays valid (Stripe's own default: 300). */
  webhookToleranceSeconds?: number;
}

/** stripe-node's longest sleep before retry n (0.5 s doubled each time, at most 5 s). */
const retrySleepMs = (n: number) => Math.min(500 * 2 ** (n - 1), 5000);

/** Each try's timeout, so that every try and every sleep between them fit in the budget. */
export function tryTimeoutMs(budgetMs: number, retries: number): number {
  let sleeps = 0;
  for (let n = 1; n <= retries; n++) sleeps += retrySleepMs(n);
  // A little room for the gateway's own work around the call.
  return Math.max(200, Math.floor((budgetMs - sleeps - 250) / (retries + 1)));
}

/** Stripe's authorisation window for online card payments: a hold lapses after 7 days. */
const AUTHORIZATION_WINDOW_MS = 7 * 24 * 3_600_000;

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
/**
 * The Content-Security-Policy sources Stripe's integration security guide lists for
 * Stripe.js (which loads the Payment Element and runs 3-D Secure in its frames), exactly:
 * js.stripe.com and its subdomains for scripts and frames, hooks.stripe.com for the
 * frames redirect-based methods and 3-D Secure land on, api.stripe.com for Stripe.js's
 * calls, and maps.googleapis.com, which the guide lists for Stripe.js beside them.
 */
export const STRIPE_PAGE_SOURCES = {
  script: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://maps.googleapis.com'],
  frame: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'],
  connect: ['https://api.stripe.com', 'https://maps.googleapis.com'],
} as const;

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
/** The `stripe` package, loaded on the first call to Stripe: a gateway whose merchants
 * use no Stripe account never loads it (its module alone is ~20 MB of memory). */
let sdk: Promise<typeof Stripe> | undefined;
const stripeSdk = () => {
  sdk ??= import('stripe').then((m) => m.default);
  return sdk;
};

export function createStripeProcessor(options: StripeOptions = {}) {
  const clients = new Map<string, Stripe>();
  const tolerance = options.webhookToleranceSeconds ?? 300;
  const retries = options.maxNetworkRetries ?? 2;
  const timeout = tryTimeoutMs(options.callBudgetMs ?? 30_000, retries);

  async function client(credentials: ProcessorCredentials | undefined): Promise<Stripe> {
    const key = need(credentials, 'secret_key');
    let stripe = clients.get(key);
    if (!stripe) {
      const Sdk = await stripeSdk();
      stripe = new Sdk(key, {
        maxNetworkRetries: retries,
        timeout,
        appInfo: { name: 'Kassa', url: 'https://github.com/kassa' },
        telemetry: false,
        ...(options.api ?? {}),
      });
      clients.set(key, stripe);
    }
    return stripe;
  }

  const retrievePi = (credentials: ProcessorCredentials | undefined, reference: string) =>
    atStripe(async () => (await client(credentials)).paymentIntents.retrieve(reference));

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
      authorizationWindowMs: AUTHORIZATION_WINDOW_MS,
      webhookEvents: STRIPE_WEBHOOK_EVENTS,
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
      const pi = await atStripe(async () =>
        (await client(req.credentials)).paymentIntents.create(
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
        ),
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
      return outcomeOf(await retrievePi(req.credentials, req.reference));
    },

    /**
     * Captures with the operation id as Stripe's idempotency key. When Stripe refuses, the
     * PaymentIntent itself says why: captured already (a repeat whose first answer was
     * lost), or canceled (the authorisation lapsed, or it was released at Stripe); a
     * refusal with the payment still held is thrown.
     */
    async capture(req) {
      try {
        const pi = await atStripe(async () =>
          (await client(req.credentials)).paymentIntents.capture(
            req.reference,
            { amount_to_capture: toStripeAmount(req.amount, req.currency) },
            { idempotencyKey: req.operationId },
          ),
        );
        return outcomeOf(pi);
      } catch (err) {
        if (!processorRefusal(err)) throw err;
        const now = outcomeOf(await retrievePi(req.credentials, req.reference));
        if (now.status === 'succeeded' || now.status === 'failed') return now;
        throw err;
      }
    },

    async cancel(req) {
      try {
        const pi = await atStripe(async () =>
          (await client(req.credentials)).paymentIntents.cancel(
            req.reference,
            {},
            { idempotencyKey: req.operationId },
          ),
        );
        return { canceled: pi.status === 'canceled' };
      } catch (err) {
        // Already canceled (by Stripe, or by an earlier call whose answer was lost), or
        // too late (paid): say which, from the PaymentIntent itself.
        if (!processorRefusal(err)) throw err;
        const pi = await retrievePi(req.credentials, req.reference);
        return { canceled: pi.status === 'canceled' };
      }
    },

    async refund(req) {
      try {
        const refund = await atStripe(async () =>
          (await client(req.credentials)).refunds.create(
            {
              payment_intent: req.reference,
              amount: toStripeAmount(req.amount, req.currency),
              ...(req.reason && { reason: req.reason }),
              metadata: { kassa_operation: req.operationId },
            },
            { idempotencyKey: req.operationId },
          ),
        );
        return refundRecordOf(refund);
      } catch (err) {
        // Stripe refused the refund itself (more than is left, a disputed charge): final,
        // with Stripe's reason. A conflict of idempotency keys, network and server errors
        // are thrown: the gateway looks the refund up by its operation id and retries.
        const refused = refusedRefundOf(err, req.operationId);
        if (refused) return refused;
        throw err;
      }
    },

    async retrieveRefund(req) {
      const stripe = await client(req.credentials);
      if (req.reference && !isRefusedRefund(req.reference)) {
        return refundRecordOf(
          await atStripe(() => stripe.refunds.retrieve(req.reference as string)),
        );
      }
      // No answer was kept: the refund, if Stripe made it, carries the operation id.
      for await (const refund of stripe.refunds.list({
        payment_intent: req.payment,
        limit: 100,
      })) {
        if (refund.metadata?.kassa_operation === req.operationId) return refundRecordOf(refund);
      }
      return null;
    },

    async retrieveDispute(req) {
      return disputeOf(
        await atStripe(async () =>
          (await client(req.credentials)).disputes.retrieve(req.reference),
        ),
      );
    },

    async parseNotification(req): Promise<ProcessorNotification> {
      const secret = need(req.credentials, 'webhook_secret');
      const signature = req.headers['stripe-signature'];
      if (!signature) throw new NotificationError('invalid_signature', 'No Stripe-Signature.');
      let body: unknown;
      try {
        body = (await stripeSdk()).webhooks.constructEvent(
          req.rawBody,
          signature,
          secret,
          tolerance,
          undefined,
          req.now,
        );
      } catch (err) {
        const message = (err as Error).message;
        const code = /tolerance/i.test(message)
          ? 'notification_too_old'
          : err instanceof SyntaxError
            ? 'malformed_notification'
            : 'invalid_signature';
        throw new NotificationError(code, message);
      }
      return notificationOf(body);
    },

    async settlementReport(req) {
      const rows: SettlementRow[] = [];
      const list = (await client(req.credentials)).balanceTransactions.list({
        created: { gte: Math.floor(req.from / 1000), lt: Math.ceil(req.to / 1000) },
        limit: 100,
        expand: ['data.source'],
      });
      try {
        for await (const tx of list) {
          const row = settlementRowOf(tx);
          if (row) rows.push(row);
        }
      } catch (err) {
        return atStripe(() => Promise.reject(err));
      }
      return rows;
    },
  } satisfies Processor & { amountProblem: typeof amountProblem };
  return processor;
}

export type StripeProcessor = ReturnType<typeof createStripeProcessor>;

/** A balance transaction as a settlement row: one per paid charge, keyed by its
 * PaymentIntent, as the reconciliation compares payments. The amount is what was
 * captured (a partial capture takes less than the charge's authorised `amount`). */
function settlementRowOf(tx: Stripe.BalanceTransaction): SettlementRow | null {
  const source = tx.source;
  if (!source || typeof source === 'string') return null;
  const currency = source.object === 'charge' ? source.currency.toUpperCase() : '';
  if (source.object === 'charge') {
    const reference = paymentIntentId(source.payment_intent);
    if (!reference) return null;
    const status = source.status === 'succeeded' ? 'succeeded' : 'failed';
    const amount = fromStripeAmount(source.amount_captured ?? source.amount, currency);
    return { settled_at: tx.created * 1000, currency, reference, amount, status };
  }
  return null;
}
