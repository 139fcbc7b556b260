import type { ErrorBody } from '@kassa/protocol';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, isApiError } from './api-error.ts';
import type { AppEnv } from './env.ts';

function fromHttpException(err: HTTPException): ApiError {
  if (err.status === 413) {
    return new ApiError(413, 'body_too_large', 'The request body is too large.');
  }
  if (err.status === 400 && /json/i.test(err.message)) {
    return new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  return new ApiError(
    err.status as ApiError['status'],
    'invalid_request',
    err.message || 'Invalid request.',
  );
}

/** Renders an ApiError in the one error shape. */
export function renderError(c: Context<AppEnv>, err: ApiError) {
  const body: ErrorBody = {
    error: {
      type: err.type,
      code: err.code,
      message: err.message,
      ...(err.param ? { param: err.param } : {}),
      ...(err.declineCode ? { decline_code: err.declineCode } : {}),
      request_id: c.get('requestId') ?? 'req_unknown',
      ...(err.paymentIntent !== undefined
        ? { payment_intent: err.paymentIntent as ErrorBody['error']['payment_intent'] }
        : {}),
    },
  };
  return c.json(body, err.status);
}

/** Known errors keep their status; anything else is logged and becomes a bare 500. */
export function onError(err: Error, c: Context<AppEnv>) {
  if (isApiError(err)) return renderError(c, err);
  if (err instanceof HTTPException) return renderError(c, fromHttpException(err));
  c.get('log')?.error({ err }, 'unhandled error');
  return renderError(c, new ApiError(500, 'internal_error', 'Something went wrong on our side.'));
}
