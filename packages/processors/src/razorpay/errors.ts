import { ProcessorError } from '../processor-error.ts';
import type { RazorpayErrorBody } from './types.ts';

/** Razorpay's request fields as Kassa's API names them. */
const PARAMS: Record<string, string> = { amount: 'amount', currency: 'currency' };

/**
 * Razorpay's error as one of Kassa's processor errors. razorpay-node throws
 * `{ statusCode, error }` for an answer, and (its normalizeError reads a response that is
 * not there) a TypeError, or axios's own error, when nothing answered: those leave the
 * outcome open. A 4xx is Razorpay's refusal; its 401 is the merchant's keys; a 409 is a
 * request with the same idempotency key still under way (retry); 5xx and 429 may pass.
 * "The id provided does not exist" is Razorpay's answer for another account's object.
 */
export function razorpayError(err: unknown): ProcessorError {
  const e = (err ?? {}) as { statusCode?: number; error?: RazorpayErrorBody };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  const body = e.error;
  if (!status || !body) {
    return new ProcessorError(
      'processor_unavailable',
      `Razorpay did not answer: ${(err as Error)?.message ?? 'no answer'}`,
    );
  }
  const message = body.description || 'Razorpay refused the request.';
  const missing = /does not exist|not found/i.test(message);
  const detail = {
    processorCode: missing
      ? 'resource_missing'
      : body.reason && body.reason !== 'NA'
        ? body.reason
        : body.code,
    param: body.field ? PARAMS[body.field] : undefined,
  };
  if (status === 401) {
    return new ProcessorError(
      'credentials_invalid',
      `Razorpay refused the account's API key: ${message}`,
      detail,
    );
  }
  if (/idempotency key/i.test(message) && status === 400) {
    return new ProcessorError('idempotency_conflict', message, detail);
  }
  if (status >= 400 && status < 500 && status !== 409 && status !== 429) {
    return new ProcessorError('processor_refused', message, detail);
  }
  return new ProcessorError('processor_unavailable', message, detail);
}

/** Runs one call to Razorpay and throws its failure as a `ProcessorError`. */
export async function atRazorpay<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw razorpayError(err);
  }
}
