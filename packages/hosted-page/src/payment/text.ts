import { intentIs } from '@kassa/protocol/intent-status';
import type { PageIntent } from '../api.ts';
import type { Problem } from '../fields/types.ts';
import { reasonOf, type Strings } from '../i18n.ts';

/** The reason, in the shopper's language, then whether and how often they may try again. */
export function declineText(problem: Problem, intent: PageIntent | undefined, t: Strings): string {
  const retry = !!intent && intentIs.awaitingMethod(intent.status);
  const left = intent?.attempts_remaining;
  return [
    reasonOf(problem, t),
    retry ? t.declinedRetry : '',
    retry && left !== undefined ? t.attemptsLeft(left) : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Why the payment is over: expired, canceled, or out of attempts (with the last reason). */
export function failureText(intent: PageIntent, t: Strings): string {
  if (intent.status === 'expired') return t.expired;
  if (intent.status === 'canceled') return t.canceled;
  const last = intent.last_payment_error;
  return last ? `${reasonOf(last, t)} ${t.tooManyAttempts}` : t.tooManyAttempts;
}

/** 4:05 */
export function clock(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
