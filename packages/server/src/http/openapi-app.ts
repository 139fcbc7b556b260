import { OpenAPIHono, type z } from '@hono/zod-openapi';
import { errorBodySchema } from '@kassa/protocol';
import type { AppEnv } from './env.ts';
import { zodHook } from './zod-hook.ts';

/** A sub-app whose routes feed the OpenAPI document and validate with our 400s. */
export const openApiApp = <E extends AppEnv = AppEnv>() =>
  new OpenAPIHono<E>({ defaultHook: zodHook });

/**
 * Query parameters a mount of a resource's routes adds to every one of them (the
 * dashboard's `mode`); any other parameter is refused.
 */
export type ExtraQuery = z.ZodRawShape;

/** What each error status means, wherever it is answered. */
export const ERROR_STATUSES = {
  400: 'Invalid request: `error.param` names the field',
  401: 'Missing or invalid API key',
  402: 'The card or the processor refused: `error.decline_code` says why',
  404: 'No such object, or not yours (`error.param` is `id`)',
  409: 'The object is not in a state that allows this',
  413: 'The body is over 64 KB',
  415: 'The body is not application/json',
  422: 'This Idempotency-Key was used with a different request',
  429: 'Too many requests: wait `Retry-After` seconds',
  500: 'Something went wrong on our side; retry with the same Idempotency-Key',
  502: 'The payment processor could not be reached; nothing was charged, try again',
  503: 'The payment processor did not answer: the operation is recorded and completes by itself',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBodySchema } },
});

/**
 * The errors a route itself can answer. Those every route of a kind can answer (401 with
 * a key, 413/415 with a body, the Idempotency-Key's 409/422, 500) are added to the
 * document by `openApiDocument`, from the middleware that answers them.
 */
export function errors<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, error(ERROR_STATUSES[s])])) as {
    [K in S]: ReturnType<typeof error>;
  };
}

/** A route's required JSON body, as `request: { ...jsonBody(schema) }`. */
export const jsonBody = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
