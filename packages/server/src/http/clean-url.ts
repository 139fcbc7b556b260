import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Text no id, key or filter ever holds, and databases and logs choke on. */
export const badText = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

function decoded(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * One early check, before authentication and any database work, of the path and the
 * query string: a NUL, a lone surrogate or broken percent-encoding is a 400 naming where
 * it is (`path`, or the query parameter), never a 500 from a database that refuses it.
 */
export const cleanUrl: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  // A URL arrives percent-encoded: without a `%` it holds none of these (the fast path).
  if (!url.includes('%')) return next();
  const q = url.indexOf('?');
  const path = new URL(url).pathname;
  const pathText = decoded(path);
  if (pathText === null || badText(pathText)) {
    throw new ApiError(
      400,
      'parameter_invalid',
      'The path contains a NUL character, an unpaired surrogate or broken percent-encoding.',
      { param: 'path' },
    );
  }
  if (q >= 0) {
    for (const pair of url.slice(q + 1).split('&')) {
      if (!pair) continue;
      const [rawName = '', ...rest] = pair.split('=');
      const name = decoded(rawName);
      const value = decoded(rest.join('='));
      if (name === null || value === null || badText(name) || badText(value)) {
        const param = name !== null && !badText(name) ? name : 'query';
        throw new ApiError(
          400,
          'parameter_invalid',
          `${param} contains a NUL character, an unpaired surrogate or broken percent-encoding.`,
          { param },
        );
      }
    }
  }
  await next();
};
