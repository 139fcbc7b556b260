import { newId } from '@kassa/protocol';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.ts';
import type { AppEnv } from './env.ts';

/** Gives each request an id (echoed as `Request-Id`) and logs one line when it ends. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = newId('req');
    const log = logger.child({ request_id: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    // Before the answer exists: set after it, a header makes the adapter build a full web
    // Response (and its Headers) instead of writing the answer straight out.
    c.header('Request-Id', requestId);
    const start = performance.now();
    await next();
    const status = c.res.status;
    // Paths only: query strings can carry client secrets.
    log[status >= 500 ? 'error' : 'info'](
      {
        method: c.req.method,
        path: c.req.path,
        status,
        latency_ms: Math.round((performance.now() - start) * 10) / 10,
        merchant: c.get('merchant')?.id,
      },
      'request',
    );
  };
}
