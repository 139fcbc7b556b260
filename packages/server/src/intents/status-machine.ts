import type { PaymentIntentStatus } from '@kassa/protocol';
import { ApiError } from '../http/api-error.ts';

type S = PaymentIntentStatus;

/**
 * Every legal move of a payment intent, in one place. A declined attempt returns the
 * intent to `requires_payment_method`; terminal statuses never move.
 */
const LEGAL: Record<S, readonly S[]> = {
  requires_payment_method: [
    'requires_payment_method',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'failed',
    'canceled',
    'expired',
  ],
  requires_action: [
    'requires_payment_method',
    'processing',
    'requires_capture',
    'succeeded',
    'failed',
    'canceled',
    'expired',
  ],
  processing: [
    'requires_payment_method',
    'requires_action',
    'requires_capture',
    'succeeded',
    'failed',
    // A capture that got no answer shows processing; the authorisation may turn out gone.
    'canceled',
  ],
  requires_capture: ['processing', 'succeeded', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
  expired: [],
};

export function canTransition(from: S, to: S): boolean {
  // Staying put is fine while open (a decline returns to requires_payment_method).
  return LEGAL[from].includes(to) || (from === to && LEGAL[from].length > 0);
}

/** Throws the 409 a merchant or shopper sees when an action does not fit the status. */
export function assertTransition(from: S, to: S, action: string): void {
  if (!canTransition(from, to)) throw unexpectedState(from, action);
}

export const unexpectedState = (status: S, action: string) =>
  new ApiError(
    409,
    'payment_intent_unexpected_state',
    `You cannot ${action} this PaymentIntent because its status is ${status}.`,
  );

/** Statuses from which a shopper may confirm (try a payment method). */
export const CONFIRMABLE: readonly S[] = ['requires_payment_method', 'requires_action'];
export const CANCELABLE: readonly S[] = [
  'requires_payment_method',
  'requires_action',
  'requires_capture',
];
