// An intent's statuses and what each means, with no schema library: the payment page
// imports this alone (@kassa/protocol/intent-status).

export const PAYMENT_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'failed',
  'canceled',
  'expired',
] as const;
export type PaymentIntentStatus = (typeof PAYMENT_INTENT_STATUSES)[number];

/** Statuses an intent never leaves. */
export const TERMINAL_STATUSES: readonly PaymentIntentStatus[] = [
  'succeeded',
  'failed',
  'canceled',
  'expired',
];
export const isTerminal = (s: PaymentIntentStatus) => TERMINAL_STATUSES.includes(s);

/**
 * What a status means, decided here once: every decision on an intent's status goes
 * through one of these (or the server's status machine), never a comparison of its own.
 */
export const intentIs = {
  /** The shopper's money is taken or held: the order may ship (a hold is captured later). */
  paid: (s: PaymentIntentStatus) => s === 'succeeded' || s === 'requires_capture',
  /** Taken: what can be refunded. */
  captured: (s: PaymentIntentStatus) => s === 'succeeded',
  /** Authorised and held, waiting for the merchant's capture or cancel. */
  held: (s: PaymentIntentStatus) => s === 'requires_capture',
  /** Waiting on the shopper's action (3-D Secure, an app) or on the processor. */
  waiting: (s: PaymentIntentStatus) => s === 'processing' || s === 'requires_action',
  /** Waiting on the processor alone (a payment, or a capture, under way). */
  processing: (s: PaymentIntentStatus) => s === 'processing',
  /** Waiting on the shopper's action. */
  actionNeeded: (s: PaymentIntentStatus) => s === 'requires_action',
  /** Open for a payment method (new, or back after a decline). */
  awaitingMethod: (s: PaymentIntentStatus) => s === 'requires_payment_method',
  /** Over without the money: failed, canceled or expired. */
  closedUnpaid: (s: PaymentIntentStatus) => isTerminal(s) && s !== 'succeeded',
  /** Over, either way: it never moves again. */
  terminal: isTerminal,
};
