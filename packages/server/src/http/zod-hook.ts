import type { z } from 'zod';
import { ApiError } from './api-error.ts';

/** `payment_method.card.number` → `payment_method[card][number]`, as Stripe names params. */
export function paramName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ''}${rest.map((p) => `[${p}]`).join('')}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path)
    v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** Turns the first zod issue into a 400 that names the field. */
export function validationError(error: z.ZodError, input?: unknown): ApiError {
  const issue = error.issues[0];
  if (!issue) return new ApiError(400, 'parameter_invalid', 'Invalid request.');
  if (issue.code === 'unrecognized_keys') {
    const key = paramName([...issue.path, issue.keys[0] ?? '']);
    return new ApiError(400, 'parameter_unknown', `Received unknown parameter: ${key}`, {
      param: key,
    });
  }
  const param = paramName(issue.path);
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    return new ApiError(400, 'parameter_missing', `Missing required param: ${param}.`, { param });
  }
  return new ApiError(400, 'parameter_invalid', `Invalid ${param}: ${issue.message}`, { param });
}

/** The `defaultHook` for every OpenAPIHono app: validation failures throw a 400. */
export const zodHook = (result: { success: boolean; error?: z.ZodError; data?: unknown }) => {
  if (!result.success && result.error) throw validationError(result.error, result.data);
};
