import { intentIs } from '@kassa/protocol/intent-status';
import type { PageIntent } from '../api.ts';

export type Method = 'card' | 'upi' | 'redirect';

/** Everything the page knows of the payment; the screen shown follows from it alone. */
export interface PaymentState {
  intent: PageIntent | null;
  /** The intent could not be loaded (the reason, in the shopper's language). */
  loadError: string | null;
  /** The last decline or error, under the form (one at a time). */
  notice: string | null;
  /** A call of the shopper's is on its way (pay, leave). */
  submitting: boolean;
  method: Method;
  /** Asked once whether to close while a payment is being confirmed. */
  asking: boolean;
  /** When the shopper left a payment under way (it may still be paid: it is watched). */
  leftAt: number | null;
  /** What went wrong under a payment that waits (a failed leave or check). */
  waitNote: string | null;
}

export type PaymentAction =
  | { type: 'loaded'; intent: PageIntent }
  | { type: 'load_failed'; message: string }
  /** A fresh view of the intent: the stream, a check, the processor's fields. */
  | { type: 'intent'; intent: PageIntent }
  | { type: 'method'; method: Method }
  | { type: 'busy'; busy: boolean }
  | { type: 'pay' }
  | { type: 'paid'; intent: PageIntent }
  /** The payment did not go through: the reason, and the intent as it now stands. */
  | { type: 'declined'; notice: string | null; intent?: PageIntent; expired?: boolean }
  | { type: 'notice'; notice: string | null }
  | { type: 'ask'; asking: boolean }
  | { type: 'leave' }
  | { type: 'left'; intent: PageIntent; at: number }
  | { type: 'leave_failed'; note: string; intent?: PageIntent }
  | { type: 'wait_note'; note: string | null };

export const initialState = (): PaymentState => ({
  intent: null,
  loadError: null,
  notice: null,
  submitting: false,
  method: 'card',
  asking: false,
  leftAt: null,
  waitNote: null,
});

/** The one place a payment's page state changes. */
export function paymentReducer(s: PaymentState, a: PaymentAction): PaymentState {
  switch (a.type) {
    case 'loaded':
      return { ...s, intent: a.intent, method: a.intent.payment_method_types[0] ?? 'card' };
    case 'load_failed':
      return { ...s, loadError: a.message };
    case 'intent':
      return { ...s, intent: a.intent };
    case 'method':
      return { ...s, method: a.method };
    case 'busy':
      return { ...s, submitting: a.busy };
    case 'pay':
      return { ...s, submitting: true, notice: null };
    case 'paid':
      return { ...s, submitting: false, leftAt: null, intent: a.intent };
    case 'declined': {
      const intent = a.intent ?? s.intent;
      return {
        ...s,
        submitting: false,
        leftAt: null,
        notice: a.expired ? s.notice : a.notice,
        intent: a.expired && intent ? { ...intent, status: 'expired' } : intent,
      };
    }
    case 'notice':
      return { ...s, notice: a.notice };
    case 'ask':
      return { ...s, asking: a.asking };
    case 'leave':
      return { ...s, submitting: true, notice: null, waitNote: null };
    case 'left':
      return { ...s, submitting: false, asking: false, leftAt: a.at, intent: a.intent };
    case 'leave_failed':
      return {
        ...s,
        submitting: false,
        asking: false,
        waitNote: a.note,
        intent: a.intent ?? s.intent,
      };
    case 'wait_note':
      return { ...s, waitNote: a.note };
  }
}

/** Open, but this shopper has used every attempt they have (the gateway refuses more). */
export const outOfAttempts = (intent: PageIntent) =>
  intentIs.awaitingMethod(intent.status) && intent.attempts_remaining === 0;

/** Waiting on the shopper's action or the processor's answer. */
export const waiting = (s: PaymentState) => !!s.intent && intentIs.waiting(s.intent.status);

/** A payment is under way: the shopper is asked before the modal closes. */
export const busy = (s: PaymentState) => s.submitting || waiting(s);

export type ScreenName =
  | 'loading'
  | 'load_error'
  | 'ask'
  | 'success'
  | 'failed'
  | 'app'
  | 'upi_app'
  | 'challenge'
  | 'processing'
  | 'form';

/**
 * Which screen the page shows, from the state alone. `here` is the page's own path: a
 * next action that points at it is 3-D Secure in the processor's own fields, which the
 * form's fields carry on.
 */
export function screenOf(s: PaymentState, here: string): ScreenName {
  if (s.loadError) return 'load_error';
  const intent = s.intent;
  if (!intent) return 'loading';
  if (s.asking && busy(s)) return 'ask';
  const st = intent.status;
  if (intentIs.paid(st)) return 'success';
  if (intentIs.closedUnpaid(st) || outOfAttempts(intent)) {
    // No form once this shopper has no attempt left: nothing to press that cannot work.
    return 'failed';
  }
  const action = intent.next_action;
  if (intentIs.actionNeeded(st) && action) {
    if (action.type === 'redirect') return 'app';
    if (action.type === 'upi_intent') return 'upi_app';
    const inFields = !!intent.processor_fields?.card && new URL(action.url).pathname === here;
    if (!inFields) return 'challenge';
  }
  if (intentIs.processing(st)) return 'processing';
  return 'form';
}
