import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { safeEqual } from '../merchants/keys.ts';
import type { Metrics } from './metrics.ts';

/** Times every request by its route pattern (`/v1/payment_intents/:id`), never its path:
 * ids in paths would make a series per payment. */
export function requestMetrics(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = routePath(c, -1);
      metrics.httpRequest(
        c.res.status === 404 && route.endsWith('*') ? 'unmatched' : route,
        c.req.method,
        c.res.status,
        (performance.now() - start) / 1000,
      );
    }
  };
}

/**
 * `GET /metrics` in Prometheus' text format, on the gateway's port only with
 * `Authorization: Bearer $KASSA_METRICS_TOKEN`; without a token configured it is not
 * served here (use KASSA_METRICS_PORT, bound to 127.0.0.1).
 */
export function metricsRoutes(metrics: Metrics, token: string | null) {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    if (!token) return c.notFound();
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!safeEqual(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      // The one error shape (with its request id), as every other answer.
      throw new ApiError(
        401,
        'metrics_token_invalid',
        'GET /metrics needs Authorization: Bearer <KASSA_METRICS_TOKEN>.',
        { type: 'authentication_error' },
      );
    }
    return c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
      'cache-control': 'no-store',
    });
  });
  return app;
}
