import { z } from 'zod';

/** Broad classes of error, as in Stripe's `type`. */
export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'card_error',
  'idempotency_error',
  'rate_limit_error',
  'api_error',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** The one error body every endpoint returns. */
export const errorBodySchema = z
  .object({
    error: z.object({
      type: z.enum(ERROR_TYPES),
      code: z.string(),
      message: z.string(),
      param: z.string().optional(),
      decline_code: z.string().optional(),
      request_id: z.string(),
      /** On a declined confirm: the intent as it stands, to tell whether a retry is possible. */
      payment_intent: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;
