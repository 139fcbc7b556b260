import type Stripe from 'stripe';
import type { DisputeReport, ProcessorOutcome, RefundOutcome } from '../processor.ts';
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

/**
 * Where a Stripe PaymentIntent stands, as Kassa's outcome. A PaymentIntent waiting for
 * the shopper (no method yet, or Stripe's own 3-D Secure under way in the Element) is
 * `pending`: the shopper is still in Stripe's fields, and nothing is decided.
 */
export function outcomeOf(pi: Stripe.PaymentIntent): ProcessorOutcome {
  const reference = pi.id;
  switch (pi.status) {
    case 'succeeded':
      return { status: 'succeeded', reference };
    case 'requires_capture':
      return { status: 'authorized', reference };
    case 'processing':
      return { status: 'processing', reference };
    case 'canceled':
      return {
        status: 'failed',
        reference,
        declineCode: 'canceled',
        message: 'The payment was canceled.',
      };
    case 'requires_payment_method':
      return pi.last_payment_error
        ? { status: 'failed', reference, ...declineOf(pi.last_payment_error) }
        : { status: 'pending', reference };
    default:
      // requires_confirmation, requires_action: the shopper is still in Stripe's flow.
      return { status: 'pending', reference };
  }
}

export function refundOutcomeOf(refund: Stripe.Refund): RefundOutcome {
  const status =
    refund.status === 'succeeded'
      ? 'succeeded'
      : refund.status === 'failed' || refund.status === 'canceled'
        ? 'failed'
        : 'pending';
  return { status, reference: refund.id };
}

export function disputeOf(dispute: Stripe.Dispute): DisputeReport {
  const closed = ['won', 'lost', 'prevented'].includes(dispute.status);
  return {
    reference: dispute.id,
    status: !closed ? 'open' : dispute.status === 'lost' ? 'lost' : 'won',
    amount: fromStripeAmount(dispute.amount, dispute.currency),
    currency: dispute.currency.toUpperCase(),
    reason: dispute.reason,
  };
}

/** The PaymentIntent id of a Stripe object that may hold it expanded or as an id. */
export function paymentIntentId(
  value: string | Stripe.PaymentIntent | null | undefined,
): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}
