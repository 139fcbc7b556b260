import type Stripe from 'stripe';
import type {
  DisputeReport,
  PaymentFacts,
  ProcessorOutcome,
  RefundOutcome,
  RefundRecord,
} from '../processor.ts';
import { fromStripeAmount } from './amounts.ts';

/** Shopper-facing messages for Stripe's decline codes; Stripe's own text otherwise. */
const MESSAGES: Record<string, string> = {
  insufficient_funds: 'Your card has insufficient funds. Try another card.',
  lost_card: 'Your card was declined. Try another card.',
  stolen_card: 'Your card was declined. Try another card.',
  expired_card: 'Your card has expired. Check the expiry date or use another card.',
  incorrect_cvc: "Your card's security code is incorrect.",
  incorrect_number: 'Your card number is incorrect.',
  processing_error: 'An error occurred while processing your card. Try again in a moment.',
  authentication_failed: 'We could not authenticate your payment. Try again or use another card.',
  generic_decline: 'Your card was declined. Try another card.',
};

/**
 * Kassa's decline code for Stripe's error on a payment: the issuer's `decline_code` for a
 * decline, the error `code` for the rest (expired card, wrong CVC), and 3-D Secure that
 * failed as `authentication_failed`, as the sandbox names it.
 */
export function declineOf(error: Stripe.PaymentIntent.LastPaymentError | null | undefined): {
  declineCode: string;
  message: string;
} {
  const code =
    error?.code === 'payment_intent_authentication_failure'
      ? 'authentication_failed'
      : error?.code === 'card_declined'
        ? (error.decline_code ?? 'generic_decline')
        : (error?.code ?? 'generic_decline');
  const declineCode = /^[a-z_]+$/.test(code) ? code : 'generic_decline';
  return {
    declineCode,
    message:
      MESSAGES[declineCode] ?? error?.message ?? 'Your payment was declined. Try another card.',
  };
}

/** What Stripe's record says the PaymentIntent is for: amount, currency, mode, Kassa's ids. */
export function factsOf(pi: Stripe.PaymentIntent): PaymentFacts {
  const currency = pi.currency.toUpperCase();
  const m = pi.metadata ?? {};
  return {
    amount: fromStripeAmount(pi.amount, currency),
    currency,
    livemode: pi.livemode,
    kassa: {
      intent: m.kassa_payment_intent,
      attempt: m.kassa_payment_attempt,
      merchant: m.kassa_merchant,
    },
    amountReceived: fromStripeAmount(pi.amount_received ?? 0, currency),
  };
}

/** Cancellations Stripe makes by itself when a held payment's authorisation lapses. */
const LAPSED = new Set(['automatic', 'expired']);

/**
 * Where a Stripe PaymentIntent stands, as Kassa's outcome, with Stripe's record of it. A
 * PaymentIntent waiting for the shopper's card is `pending` (the shopper is still in
 * Stripe's fields); one in 3-D Secure is `requires_action`, carried through by Stripe.js
 * on the payment page; a declined one stays open at Stripe for another card, so Kassa
 * withdraws it once it moves on.
 */
export function outcomeOf(pi: Stripe.PaymentIntent): ProcessorOutcome {
  const reference = pi.id;
  const facts = factsOf(pi);
  switch (pi.status) {
    case 'succeeded':
      return { status: 'succeeded', reference, facts };
    case 'requires_capture':
      return { status: 'authorized', reference, facts };
    case 'processing':
      return { status: 'processing', reference, facts };
    case 'requires_action':
      return { status: 'requires_action', reference, action: { type: 'three_d_secure' }, facts };
    case 'canceled':
      return LAPSED.has(pi.cancellation_reason ?? '') && pi.capture_method === 'manual'
        ? {
            status: 'failed',
            reference,
            declineCode: 'authorization_expired',
            message: 'The authorisation lapsed at Stripe before it was captured.',
            facts,
          }
        : {
            status: 'failed',
            reference,
            declineCode: 'canceled',
            message: 'The payment was canceled.',
            facts,
          };
    case 'requires_payment_method':
      return pi.last_payment_error
        ? { status: 'failed', reference, ...declineOf(pi.last_payment_error), open: true, facts }
        : { status: 'pending', reference, facts };
    default:
      // requires_confirmation: the shopper is still in Stripe's flow.
      return { status: 'pending', reference, facts };
  }
}

export function refundOutcomeOf(refund: Stripe.Refund): RefundOutcome {
  const status =
    refund.status === 'succeeded'
      ? 'succeeded'
      : refund.status === 'failed' || refund.status === 'canceled'
        ? 'failed'
        : 'pending';
  return {
    status,
    reference: refund.id,
    ...(status === 'failed' && {
      failureReason: refund.failure_reason ?? refund.status ?? 'failed',
    }),
  };
}

/** A Stripe refund as Kassa's record of it: amount, payment and Kassa's operation id. */
export function refundRecordOf(refund: Stripe.Refund): RefundRecord {
  const currency = refund.currency.toUpperCase();
  return {
    ...refundOutcomeOf(refund),
    amount: fromStripeAmount(refund.amount, currency),
    currency,
    payment: paymentIntentId(refund.payment_intent) ?? '',
    operationId: refund.metadata?.kassa_operation,
  };
}

/** Stripe's dispute statuses that end it: an inquiry closed, won, lost (prevented: won). */
const CLOSED: Record<string, 'won' | 'lost'> = {
  won: 'won',
  prevented: 'won',
  warning_closed: 'won',
  lost: 'lost',
};

export function disputeOf(dispute: Stripe.Dispute): DisputeReport {
  return {
    reference: dispute.id,
    status: CLOSED[dispute.status] ?? 'open',
    amount: fromStripeAmount(dispute.amount, dispute.currency),
    currency: dispute.currency.toUpperCase(),
    reason: dispute.reason,
    payment: paymentIntentId(dispute.payment_intent) ?? undefined,
    livemode: dispute.livemode,
  };
}

/** The PaymentIntent id of a Stripe object that may hold it expanded or as an id. */
export function paymentIntentId(
  value: string | Stripe.PaymentIntent | null | undefined,
): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}
