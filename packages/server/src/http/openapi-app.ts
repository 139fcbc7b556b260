import { OpenAPIHono } from '@hono/zod-openapi';
import { errorBodySchema } from '@kassa/protocol';
import type { AppEnv } from './env.ts';
import { zodHook } from './zod-hook.ts';

/** A sub-app whose routes feed the OpenAPI document and validate with our 400s. */
export const openApiApp = () => new OpenAPIHono<AppEnv>({ defaultHook: zodHook });

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBodySchema } },
});

/** The error responses every authenticated route can give. */
export const errorResponses = {
  400: error('Invalid request: `error.param` names the field'),
  401: error('Missing or invalid API key'),
  404: error('No such object (or not yours)'),
  409: error('The object is not in a state that allows this'),
} as const;

export const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
