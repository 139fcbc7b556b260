import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

/** POST bodies must be JSON (an empty body is fine where nothing is required). */
export const requireJson: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'POST' || c.req.method === 'PATCH') {
    const type = c.req.header('content-type') ?? '';
    // The body was read (and cached) by readBody; what counts is whether there is one.
    const hasBody = (await c.req.text()) !== '';
    if (hasBody && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
      throw new ApiError(
        415,
        'unsupported_media_type',
        `Send the body as application/json (got ${type || 'no content type'}).`,
      );
    }
  }
  await next();
};
