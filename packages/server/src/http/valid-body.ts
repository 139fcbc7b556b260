import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './api-error.ts';
import { validationError } from './zod-hook.ts';

/**
 * A JSON body checked against the same schema `/v1` uses, for routes outside the
 * OpenAPI apps (the dashboard's): an empty body is `{}`; a body that is not JSON (cut
 * short, trailing bytes), not an object, or has a field the schema does not know is a
 * 400 naming what is wrong — never a default that moves money.
 */
export async function validBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ApiError(400, 'parameter_invalid', 'The request body must be a JSON object.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error, raw);
  return parsed.data;
}
