import { ProcessorError } from '../processor-error.ts';

/** The fields of Stripe's errors the adapter reads (stripe-node's `StripeError`). */
interface StripeErrorLike {
  type?: string;
  statusCode?: number;
  code?: string;
  param?: string;
  message?: string;
}

/** Stripe's request fields as Kassa's API names them. */
const PARAMS: Record<string, string> = {
  amount: 'amount',
  amount_to_capture: 'amount_to_capture',
  currency: 'currency',
};

/**
 * Stripe's error as one of Kassa's processor errors, by stripe-node's error `type` and
 * the HTTP status: a 4xx is Stripe's refusal (nothing moved), a 5xx, a 429, a timeout or
 * a broken connection leaves the outcome open and may be retried with the same
 * idempotency key. Stripe's message names the problem and never holds a secret or card.
 */
export function stripeError(err: unknown): ProcessorError {
  const e = (err ?? {}) as StripeErrorLike;
  const message = e.message || 'Stripe did not answer.';
  const detail = { processorCode: e.code, param: e.param ? PARAMS[e.param] : undefined };
  switch (e.type) {
    case 'StripeIdempotencyError':
      return new ProcessorError('idempotency_conflict', message, detail);
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new ProcessorError(
        'credentials_invalid',
        `Stripe refused the account's API key: ${message}`,
        detail,
      );
    case 'StripeInvalidRequestError':
    case 'StripeCardError':
      return new ProcessorError('processor_refused', message, detail);
  }
  const status = e.statusCode ?? 0;
  if (status >= 400 && status < 500 && status !== 409 && status !== 429) {
    return new ProcessorError('processor_refused', message, detail);
  }
  return new ProcessorError('processor_unavailable', message, detail);
}

/** Runs one call to Stripe and throws its failure as a `ProcessorError`. */
export async function atStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw stripeError(err);
  }
}
