import type {
  DisputeReport,
  PaymentFacts,
  ProcessorOutcome,
  RefundOutcome,
  RefundRecord,
} from '../processor.ts';
import type {
  Notes,
  RazorpayDispute,
  RazorpayOrder,
  RazorpayPayment,
  RazorpayRefund,
} from './types.ts';

/** Razorpay's notes, or `[]` (how it answers "no notes"), as a record. */
export const notesOf = (notes: Notes | [] | null | undefined): Notes =>
  notes && !Array.isArray(notes) ? notes : {};

/** Kassa's decline codes for Razorpay's `error_reason`s; the rest are declines. */
const REASONS: Record<string, string> = {
  insufficient_balance: 'insufficient_funds',
  insufficient_funds: 'insufficient_funds',
  card_declined: 'generic_decline',
  payment_declined: 'generic_decline',
  card_expired: 'expired_card',
  incorrect_card_details: 'incorrect_number',
  incorrect_cvv: 'incorrect_cvc',
  authentication_failed: 'authentication_failed',
  incorrect_otp: 'authentication_failed',
  payment_cancelled: 'canceled',
  payment_timed_out: 'expired',
  upi_request_declined: 'upi_declined',
  payment_risk_check_failed: 'fraudulent',
};

/** Shopper-facing words for the decline codes Razorpay's reasons map to. */
const MESSAGES: Record<string, string> = {
  insufficient_funds: 'Your account has insufficient funds. Try another way to pay.',
  expired_card: 'Your card has expired. Check the expiry date or use another card.',
  incorrect_cvc: "Your card's security code is incorrect.",
  incorrect_number: 'Your card number is incorrect.',
  authentication_failed: 'We could not authenticate your payment. Try again or use another card.',
  upi_declined: 'The payment was declined in your UPI app. Try again or use another method.',
  expired: 'The payment was not completed in time. Try again.',
  canceled: 'The payment was cancelled.',
  generic_decline: 'Your payment was declined. Try another way to pay.',
};

export function declineOf(p: RazorpayPayment): { declineCode: string; message: string } {
  const reason = p.error_reason ?? '';
  const declineCode = REASONS[reason] ?? (p.method === 'upi' ? 'upi_declined' : 'generic_decline');
  return {
    declineCode,
    message: MESSAGES[declineCode] ?? p.error_description ?? 'Your payment was declined.',
  };
}

/**
 * What Razorpay's record says an order is for: its amount and currency, and the Kassa ids
 * the adapter kept in its notes. Razorpay's amounts are in the currency's smallest unit, as
 * Kassa's are (paise for INR).
 */
export function factsOf(order: RazorpayOrder, captured?: RazorpayPayment): PaymentFacts {
  const n = notesOf(order.notes);
  return {
    amount: order.amount,
    currency: order.currency.toUpperCase(),
    kassa: {
      intent: n.kassa_payment_intent,
      attempt: n.kassa_payment_attempt,
      merchant: n.kassa_merchant,
    },
    ...(captured && { amountReceived: captured.amount }),
  };
}

/** The payment of an order that decides it: captured, held, waiting, then the last failed one. */
export function decidingPayment(payments: readonly RazorpayPayment[]): RazorpayPayment | undefined {
  const newest = [...payments].sort((a, b) => b.created_at - a.created_at);
  return (
    newest.find((p) => p.captured) ??
    newest.find((p) => p.status === 'authorized') ??
    newest.find((p) => p.status === 'created') ??
    newest.find((p) => p.status === 'refunded') ??
    newest[0]
  );
}

/**
 * Where a Razorpay order stands, as Kassa's outcome: Kassa's reference for a Razorpay
 * payment is its order (one per attempt), since the shopper may try more than once in
 * Razorpay's Checkout and only the order is known before they do. A captured payment is
 * paid; an authorised one is held (manual capture) or about to be captured (automatic);
 * one still `created` waits for the shopper (a UPI app, a bank page); an authorisation
 * Razorpay refunded by itself (not captured in its window) has lapsed; with no payment at
 * all, the shopper is still in Checkout.
 */
export function outcomeOf(
  order: RazorpayOrder,
  payments: readonly RazorpayPayment[],
): ProcessorOutcome {
  const reference = order.id;
  const manual = notesOf(order.notes).kassa_capture === 'manual';
  const p = decidingPayment(payments);
  if (!p) return { status: 'pending', reference, facts: factsOf(order) };
  if (p.captured) return { status: 'succeeded', reference, facts: factsOf(order, p) };
  const facts = factsOf(order);
  switch (p.status) {
    case 'authorized':
      return { status: manual ? 'authorized' : 'processing', reference, facts };
    case 'created':
      return { status: 'processing', reference, facts };
    case 'refunded':
      return {
        status: 'failed',
        reference,
        declineCode: 'authorization_expired',
        message: 'Razorpay gave the authorised money back before it was captured.',
        facts,
      };
    default:
      return { status: 'failed', reference, ...declineOf(p), facts };
  }
}

export function refundOutcomeOf(refund: RazorpayRefund): RefundOutcome {
  const status =
    refund.status === 'processed' ? 'succeeded' : refund.status === 'failed' ? 'failed' : 'pending';
  return { status, reference: refund.id, ...(status === 'failed' && { failureReason: 'failed' }) };
}

/** A Razorpay refund as Kassa's record of it; `order` is the payment's order (Kassa's reference). */
export function refundRecordOf(refund: RazorpayRefund, order: string): RefundRecord {
  return {
    ...refundOutcomeOf(refund),
    amount: refund.amount,
    currency: refund.currency.toUpperCase(),
    payment: order,
    operationId: notesOf(refund.notes).kassa_operation,
  };
}

/** Razorpay's dispute statuses as Kassa's: decided won or lost (closed: accepted, so lost). */
const DECIDED: Record<string, 'won' | 'lost'> = { won: 'won', lost: 'lost', closed: 'lost' };

export function disputeOf(dispute: RazorpayDispute, order: string | undefined): DisputeReport {
  return {
    reference: dispute.id,
    status: DECIDED[dispute.status] ?? 'open',
    amount: dispute.amount,
    currency: dispute.currency.toUpperCase(),
    reason: dispute.reason_code,
    ...(order && { payment: order }),
  };
}
