import type { ErrorType } from '@kassa/protocol';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one error the gateway throws on purpose. `onError` renders it as
 * `{ error: { type, code, message, param, request_id } }`.
 *
 * @example
 * throw new ApiError(404, 'resource_missing', 'No such payment intent: pi_123', { param: 'id' });
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly type: ErrorType;
  readonly param?: string;
  readonly declineCode?: string;
  /** The payment as the shopper's page may see it, on a decline (402). */
  readonly paymentIntent?: unknown;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    opts: { param?: string; type?: ErrorType; declineCode?: string; paymentIntent?: unknown } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = opts.param;
    this.declineCode = opts.declineCode;
    this.paymentIntent = opts.paymentIntent;
    this.type =
      opts.type ??
      (status === 401
        ? 'authentication_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error');
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(404, 'resource_missing', `No such ${what}: '${id}'`, { param: 'id' });

/** Tells our own errors apart without `instanceof` across package boundaries. */
export function isApiError(err: unknown): err is ApiError {
  return err instanceof Error && (err as { name?: string }).name === 'ApiError';
}
