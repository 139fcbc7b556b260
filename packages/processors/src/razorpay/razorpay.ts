import { createHmac, timingSafeEqual } from 'node:crypto';
import type Razorpay from 'razorpay';
import { NotificationError } from '../notification-error.ts';
import type {
  AuthorizeRequest,
  CredentialField,
  Processor,
  ProcessorCredentials,
  ProcessorNotification,
  ProcessorOutcome,
  SessionRequest,
  SettlementRow,
} from '../processor.ts';
import { ProcessorError, processorRefusal } from '../processor-error.ts';
import { isRefusedRefund, refusedRefund, refusedRefundOf } from '../refused-refund.ts';
import { atRazorpay } from './errors.ts';
import { notificationOf, RAZORPAY_WEBHOOK_EVENTS } from './events.ts';
import { disputeOf, notesOf, outcomeOf, refundRecordOf } from './outcomes.ts';
import type {
  RazorpayCollection,
  RazorpayDispute,
  RazorpayEvent,
  RazorpayOrder,
  RazorpayPayment,
  RazorpayRefund,
} from './types.ts';

export { RAZORPAY_WEBHOOK_EVENTS };

export interface RazorpayOptions {
  /** Where Razorpay's API is (`https://api.razorpay.com` when left out); tests point it at
   * the fake Razorpay. */
  api?: string;
  /** How long one call may take, its retry included (the gateway's processor timeout). */
  callBudgetMs?: number;
  /** Retries of a read, or of a refund (Razorpay keeps its idempotency key), that got no
   * answer. Orders and UPI payments are never sent twice: they are looked up instead. */
  maxNetworkRetries?: number;
  /**
   * How old a webhook may be (its `created_at`) before it is refused. Razorpay signs no
   * timestamp and retries a failed delivery for 24 hours, so less would refuse its own
   * retries; a replay inside the window is dropped by its event id. Default 26 hours.
   */
  webhookToleranceSeconds?: number;
  /** Razorpay's refund speed: `normal` (5–7 working days, free) or `optimum` (instant
   * where the bank allows, with Razorpay's fee). Default normal. */
  refundSpeed?: 'normal' | 'optimum';
}

/** Razorpay refunds an authorisation not captured in time; Kassa's orders ask for 3 days. */
const AUTHORIZATION_WINDOW_MS = 3 * 24 * 3_600_000;
const MANUAL_EXPIRY_MINUTES = AUTHORIZATION_WINDOW_MS / 60_000;

/** What a merchant gives Kassa of their Razorpay account, per mode. */
export const RAZORPAY_CREDENTIALS: readonly CredentialField[] = [
  {
    name: 'key_id',
    secret: false,
    required: true,
    pattern: /^rzp_(test|live)_[A-Za-z0-9]+$/,
    description: "API key id, rzp_test_… or rzp_live_… (Razorpay's Checkout shows it to shoppers)",
  },
  {
    name: 'key_secret',
    secret: true,
    required: true,
    pattern: /^[A-Za-z0-9]{8,}$/,
    description: 'API key secret, shown once when the key is generated',
  },
  {
    name: 'webhook_secret',
    secret: true,
    required: true,
    pattern: /^\S{8,}$/,
    description: "The secret you typed for the webhook in Razorpay's dashboard",
  },
];

/**
 * The sources Razorpay's Checkout needs on the payment page: its script, its frames (the
 * card form and the bank's pages in them) and its API.
 */
export const RAZORPAY_PAGE_SOURCES = {
  script: ['https://checkout.razorpay.com'],
  frame: ['https://api.razorpay.com', 'https://checkout.razorpay.com'],
  connect: ['https://api.razorpay.com', 'https://lumberjack.razorpay.com'],
} as const;

function need(credentials: ProcessorCredentials | undefined, name: string): string {
  const value = credentials?.[name];
  if (!value) throw new Error(`razorpay: the merchant's ${name} is not set`);
  return value;
}

const hmacHex = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex');

/** Compares a hex signature with the expected one in constant time. */
function sameSignature(expected: string, given: string | undefined): boolean {
  if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'));
}

/** The idempotency key Razorpay accepts (10 or more of letters, digits, - and _). */
const idempotencyKey = (operationId: string) =>
  `kassa_${operationId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);

/** The axios instance inside razorpay-node: its base URL and timeout are set here, and a
 * refund's idempotency header (which the package's own header filter drops) goes through it. */
interface Requestor {
  defaults: { baseURL?: string; timeout?: number };
  post(
    url: string,
    data: unknown,
    config: { headers: Record<string, string> },
  ): Promise<{ data: unknown }>;
}
const requestorOf = (rzp: Razorpay) => (rzp.api as unknown as { rq: Requestor }).rq;

/** An answer's error as razorpay-node's own calls throw it (`{ statusCode, error }`). */
const asSdkError = (err: unknown): never => {
  const response = (err as { response?: { status: number; data?: { error?: unknown } } }).response;
  throw response ? { statusCode: response.status, error: response.data?.error } : err;
};

/** The `razorpay` package, loaded on the first call to Razorpay (it brings axios). */
let sdk: Promise<typeof Razorpay> | undefined;
const razorpaySdk = () => {
  sdk ??= import('razorpay').then((m) => (m.default ?? m) as typeof Razorpay);
  return sdk;
};

/**
 * Razorpay through the official `razorpay` package, as its own documents model a payment:
 * an order first (one per Kassa attempt: `receipt` is the attempt id, `notes` carry
 * Kassa's ids and the capture method), then the shopper pays for it — a card in Razorpay's
 * Standard Checkout on the payment page (Kassa never sees the card), UPI through Kassa's
 * own form by Razorpay's S2S UPI API (intent: Razorpay's `upi://` link, unmodified, as a
 * QR code or app links; collect by VPA only where the merchant enabled it). Kassa's
 * reference is the order. Nothing the browser says is believed: the gateway asks Razorpay.
 *
 * Retrying is safe everywhere: an order is looked up by its receipt before one is made, a
 * UPI payment is made only while its order has none waiting or paid, a refund carries
 * Razorpay's `X-Refund-Idempotency` key (the operation id) and the operation id in its
 * notes, and a capture that Razorpay refuses because it was captured already answers as
 * the first did. Razorpay cannot release a hold: it gives back an authorisation that was
 * not captured when its window ends, so this adapter has no `cancel`.
 *
 * @example
 * const razorpay = createRazorpayProcessor();
 * const session = await razorpay.openSession({ attemptId: 'pa_1', intentId: 'pi_1', merchantId: 'mer_1',
 *   amount: 49900, currency: 'INR', captureMethod: 'automatic', paymentMethodType: 'card',
 *   returnUrl: 'https://pay.example/pay/pi_1', credentials });
 * // => { reference: 'order_…', page: { publishableKey: 'rzp_test_…', clientSecret: 'order_…' } }
 */
export function createRazorpayProcessor(options: RazorpayOptions = {}) {
  const clients = new Map<string, Razorpay>();
  const retries = options.maxNetworkRetries ?? 1;
  const timeout = Math.max(
    200,
    Math.floor(((options.callBudgetMs ?? 30_000) - 250) / (retries + 1)),
  );
  const tolerance = (options.webhookToleranceSeconds ?? 26 * 3600) * 1000;
  const refundSpeed = options.refundSpeed ?? 'normal';

  async function client(credentials: ProcessorCredentials | undefined): Promise<Razorpay> {
    const keyId = need(credentials, 'key_id');
    const keySecret = need(credentials, 'key_secret');
    const cacheKey = `${keyId}:${keySecret}`;
    let rzp = clients.get(cacheKey);
    if (!rzp) {
      const Sdk = await razorpaySdk();
      rzp = new Sdk({ key_id: keyId, key_secret: keySecret });
      const rq = requestorOf(rzp);
      if (options.api) rq.defaults.baseURL = options.api;
      rq.defaults.timeout = timeout;
      clients.set(cacheKey, rzp);
    }
    return rzp;
  }

  /** A call that may be made again when nothing answered (a read, an idempotent refund). */
  async function again<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await atRazorpay(call);
      } catch (err) {
        if (attempt >= retries || (err as ProcessorError).code !== 'processor_unavailable')
          throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  const fetchOrder = async (credentials: ProcessorCredentials | undefined, orderId: string) => {
    const rzp = await client(credentials);
    return again(() => rzp.orders.fetch(orderId) as unknown as Promise<RazorpayOrder>);
  };
  const paymentsOf = async (credentials: ProcessorCredentials | undefined, orderId: string) => {
    const rzp = await client(credentials);
    const list = await again(
      () =>
        rzp.orders.fetchPayments(orderId) as unknown as Promise<
          RazorpayCollection<RazorpayPayment>
        >,
    );
    return list.items;
  };
  async function outcome(credentials: ProcessorCredentials | undefined, orderId: string) {
    const [order, payments] = await Promise.all([
      fetchOrder(credentials, orderId),
      paymentsOf(credentials, orderId),
    ]);
    return outcomeOf(order, payments);
  }

  /** The order of an attempt: the one made before (found by its receipt), or a new one. */
  async function orderFor(req: SessionRequest | AuthorizeRequest) {
    const rzp = await client(req.credentials);
    const found = await again(
      () =>
        rzp.orders.all({ receipt: req.attemptId, count: 10 }) as unknown as Promise<
          RazorpayCollection<RazorpayOrder>
        >,
    );
    const mine = found.items
      .filter((o) => notesOf(o.notes).kassa_payment_attempt === req.attemptId)
      .sort((a, b) => a.created_at - b.created_at)[0];
    if (mine) return mine;
    const manual = req.captureMethod === 'manual';
    return atRazorpay(
      () =>
        rzp.orders.create({
          amount: req.amount,
          currency: req.currency.toUpperCase(),
          receipt: req.attemptId,
          notes: {
            kassa_payment_intent: req.intentId,
            kassa_payment_attempt: req.attemptId,
            ...(req.merchantId && { kassa_merchant: req.merchantId }),
            kassa_capture: manual ? 'manual' : 'automatic',
          },
          payment: manual
            ? {
                capture: 'manual',
                capture_options: {
                  manual_expiry_period: MANUAL_EXPIRY_MINUTES,
                  refund_speed: refundSpeed,
                },
              }
            : {
                capture: 'automatic',
                capture_options: {
                  automatic_expiry_period: 12,
                  manual_expiry_period: MANUAL_EXPIRY_MINUTES,
                  refund_speed: refundSpeed,
                },
              },
        } as never) as unknown as Promise<RazorpayOrder>,
    );
  }

  /** The payment of an order money moves on: captured, or held. */
  async function paidPayment(credentials: ProcessorCredentials | undefined, orderId: string) {
    const payments = await paymentsOf(credentials, orderId);
    return (
      payments.find((p) => p.captured) ?? payments.find((p) => p.status === 'authorized') ?? null
    );
  }

  const processor = {
    id: 'razorpay',
    capabilities: {
      modes: ['test', 'live'],
      paymentMethods: ['card', 'upi'],
      manualCapture: true,
      // Razorpay captures the authorised amount whole.
      partialCapture: false,
      refunds: true,
      // In Razorpay's Checkout, which carries the shopper through it.
      threeDSecure: true,
      fields: { card: 'processor', upi: 'kassa' },
      // A UPI request or an open order cannot be withdrawn at Razorpay: Kassa watches an
      // abandoned one and gives back money it takes late.
      cancelPending: false,
      credentials: RAZORPAY_CREDENTIALS,
      pageSources: RAZORPAY_PAGE_SOURCES,
      authorizationWindowMs: AUTHORIZATION_WINDOW_MS,
      webhookEvents: RAZORPAY_WEBHOOK_EVENTS,
    },

    modeOfCredentials(credentials) {
      return (/^rzp_(test|live)_/.exec(credentials.key_id ?? '')?.[1] as 'test' | 'live') ?? null;
    },

    amountProblem(amount: number, currency: string) {
      // Razorpay's minimum is 100 of the smallest unit (₹1.00); three-decimal currencies
      // are taken in steps of 10.
      if (amount < 100) return `Razorpay's minimum is 100 (1.00 ${currency.toUpperCase()}).`;
      if (['KWD', 'BHD', 'OMR'].includes(currency.toUpperCase()) && amount % 10 !== 0) {
        return `Razorpay takes ${currency.toUpperCase()} amounts in steps of 0.010.`;
      }
      return null;
    },

    /** Opens the order that Razorpay's Checkout on the payment page pays. */
    async openSession(req) {
      const order = await orderFor(req);
      return {
        reference: order.id,
        // The key id is Razorpay's publishable key; the order id is all Checkout needs.
        page: { publishableKey: need(req.credentials, 'key_id'), clientSecret: order.id },
      };
    },

    /**
     * UPI from Kassa's own form, by Razorpay's S2S UPI API: an intent (the `upi://` link
     * Razorpay answers with, passed on unmodified) or a collect request to a VPA. Razorpay
     * needs the shopper's email and phone for it (the PaymentIntent's `customer`).
     */
    async authorize(req) {
      if (req.paymentMethod.type !== 'upi') {
        throw new ProcessorError(
          'processor_refused',
          `Razorpay takes ${req.paymentMethod.type} in its own Checkout, not from Kassa's form.`,
          { param: 'payment_method[type]' },
        );
      }
      if (req.currency.toUpperCase() !== 'INR') {
        throw new ProcessorError('processor_refused', 'UPI payments are in INR only.', {
          processorCode: 'currency_not_supported',
          param: 'currency',
        });
      }
      const email = req.customer?.email;
      const contact = req.customer?.phone;
      if (!email || !contact) {
        throw new ProcessorError(
          'processor_refused',
          "Razorpay needs the shopper's email and phone for UPI: create the PaymentIntent with customer.email and customer.phone.",
          {
            processorCode: 'customer_required',
            param: email ? 'customer[phone]' : 'customer[email]',
          },
        );
      }
      const upi = req.paymentMethod.upi;
      const order = await orderFor(req);
      const existing = await paymentsOf(req.credentials, order.id);
      // A repeat of this attempt (its answer was lost): never a second payment while one is
      // paid, held, or (a collect request in the shopper's app) waiting.
      const settled = existing.find((p) => p.captured || p.status === 'authorized');
      const waiting = existing.find((p) => p.status === 'created');
      if (settled || (waiting && upi.flow !== 'intent')) return outcomeOf(order, existing);
      const rzp = await client(req.credentials);
      const created = (await atRazorpay(() =>
        rzp.payments.createUpi({
          amount: req.amount,
          currency: 'INR',
          order_id: order.id,
          email,
          contact,
          method: 'upi',
          description: req.payee ? `Payment to ${req.payee}`.slice(0, 255) : undefined,
          notes: { kassa_payment_attempt: req.attemptId, kassa_payment_intent: req.intentId },
          upi:
            upi.flow === 'intent'
              ? { flow: 'intent' }
              : { flow: 'collect', vpa: upi.vpa as string, expiry_time: 5 },
        } as never),
      )) as unknown as { razorpay_payment_id: string; link?: string };
      if (upi.flow === 'intent') {
        if (!created.link?.startsWith('upi://')) {
          throw new ProcessorError(
            'processor_unavailable',
            'Razorpay answered without a UPI link.',
          );
        }
        return {
          status: 'requires_action',
          reference: order.id,
          action: { type: 'upi_intent', url: created.link },
        } satisfies ProcessorOutcome;
      }
      return { status: 'processing', reference: order.id } satisfies ProcessorOutcome;
    },

    async retrieve(req) {
      return outcome(req.credentials, req.reference);
    },

    /**
     * Checks the signature Razorpay's Checkout hands the page (HMAC-SHA256 of
     * `order_id|payment_id` with the key secret) before the gateway asks Razorpay how the
     * order stands. A forged one is refused; a missing one proves nothing either way.
     */
    verifySessionResult(req) {
      const {
        razorpay_payment_id: paymentId,
        razorpay_order_id: orderId,
        razorpay_signature: sig,
      } = req.result;
      if (!paymentId && !sig) return true;
      if (orderId !== req.reference || !paymentId) return false;
      return sameSignature(
        hmacHex(need(req.credentials, 'key_secret'), `${orderId}|${paymentId}`),
        sig,
      );
    },

    /**
     * Captures the order's held payment, whole. Razorpay refuses a second capture: the
     * order's own record then says how it stands (captured: as the first answer was).
     */
    async capture(req) {
      const held = await paidPayment(req.credentials, req.reference);
      if (!held) return outcome(req.credentials, req.reference);
      if (!held.captured) {
        try {
          const rzp = await client(req.credentials);
          await atRazorpay(() => rzp.payments.capture(held.id, held.amount, held.currency));
        } catch (err) {
          if (!processorRefusal(err)) throw err;
          const now = await outcome(req.credentials, req.reference);
          if (now.status === 'succeeded' || now.status === 'failed') return now;
          throw err;
        }
      }
      return outcome(req.credentials, req.reference);
    },

    async refund(req) {
      const paid = await paidPayment(req.credentials, req.reference);
      if (!paid?.captured) {
        return refusedRefund(req.operationId, 'payment_not_captured');
      }
      const rzp = await client(req.credentials);
      try {
        const { data } = await again(() =>
          requestorOf(rzp)
            .post(
              `/v1/payments/${paid.id}/refund`,
              {
                amount: req.amount,
                speed: refundSpeed,
                receipt: req.operationId.slice(0, 40),
                notes: {
                  kassa_operation: req.operationId,
                  ...(req.reason && { kassa_reason: req.reason }),
                },
              },
              { headers: { 'X-Refund-Idempotency': idempotencyKey(req.operationId) } },
            )
            .catch(asSdkError),
        );
        return refundRecordOf(data as RazorpayRefund, req.reference);
      } catch (err) {
        // Razorpay refused the refund itself (more than is left): final, in its words.
        const refused = refusedRefundOf(err, req.operationId);
        if (refused) return refused;
        throw err;
      }
    },

    async retrieveRefund(req) {
      const rzp = await client(req.credentials);
      if (req.reference && !isRefusedRefund(req.reference)) {
        const refund = (await again(
          () => rzp.refunds.fetch(req.reference as string) as unknown as Promise<RazorpayRefund>,
        )) as RazorpayRefund;
        return refundRecordOf(refund, req.payment);
      }
      // No answer was kept: the refund, if Razorpay made it, carries the operation id.
      for (const p of await paymentsOf(req.credentials, req.payment)) {
        const list = (await again(
          () =>
            rzp.payments.fetchMultipleRefund(p.id, { count: 100 }) as unknown as Promise<unknown>,
        )) as RazorpayCollection<RazorpayRefund>;
        const found = list.items.find((r) => notesOf(r.notes).kassa_operation === req.operationId);
        if (found) return refundRecordOf(found, req.payment);
      }
      return null;
    },

    async retrieveDispute(req) {
      const rzp = await client(req.credentials);
      const dispute = (await again(
        () => rzp.disputes.fetch(req.reference) as unknown as Promise<RazorpayDispute>,
      )) as RazorpayDispute;
      const payment = (await again(
        () => rzp.payments.fetch(dispute.payment_id) as unknown as Promise<RazorpayPayment>,
      )) as RazorpayPayment;
      return disputeOf(dispute, payment.order_id ?? undefined);
    },

    /**
     * Verifies `X-Razorpay-Signature` (hex HMAC-SHA256 of the raw body with the account's
     * webhook secret, compared in constant time) and takes `x-razorpay-event-id` as the
     * notification's id, the same on each of Razorpay's retries.
     */
    async parseNotification(req): Promise<ProcessorNotification> {
      const secret = need(req.credentials, 'webhook_secret');
      const signature = req.headers['x-razorpay-signature'];
      if (!sameSignature(hmacHex(secret, req.rawBody), signature)) {
        throw new NotificationError(
          'invalid_signature',
          'The X-Razorpay-Signature does not match.',
        );
      }
      const id = req.headers['x-razorpay-event-id'];
      let body: RazorpayEvent;
      try {
        body = JSON.parse(req.rawBody);
      } catch {
        throw new NotificationError('malformed_notification', 'The body is not JSON.');
      }
      if (!id || body?.entity !== 'event' || typeof body.event !== 'string') {
        throw new NotificationError('malformed_notification', 'Not a Razorpay event.');
      }
      if (typeof body.created_at !== 'number' || req.now - body.created_at * 1000 > tolerance) {
        throw new NotificationError(
          'notification_too_old',
          `The event is older than ${Math.round(tolerance / 3_600_000)} hours.`,
        );
      }
      return notificationOf(id, body);
    },

    /** Razorpay's payments in the range, a row per captured one (refunded ones too). */
    async settlementReport(req) {
      const rzp = await client(req.credentials);
      const rows: SettlementRow[] = [];
      for (let skip = 0; ; skip += 100) {
        const page = (await again(
          () =>
            rzp.payments.all({
              from: Math.floor(req.from / 1000),
              to: Math.ceil(req.to / 1000),
              count: 100,
              skip,
            }) as unknown as Promise<RazorpayCollection<RazorpayPayment>>,
        )) as RazorpayCollection<RazorpayPayment>;
        for (const p of page.items) {
          // Paid, refunded or failed; one still waiting or held has not settled.
          if (!p.order_id || p.status === 'created' || p.status === 'authorized') continue;
          rows.push({
            reference: p.order_id,
            amount: p.amount,
            currency: p.currency.toUpperCase(),
            status: p.status === 'refunded' ? 'refunded' : p.captured ? 'succeeded' : 'failed',
            settled_at: p.created_at * 1000,
          });
        }
        if (page.items.length < 100) return rows;
      }
    },
  } satisfies Processor;
  return processor;
}

export type RazorpayProcessor = ReturnType<typeof createRazorpayProcessor>;
