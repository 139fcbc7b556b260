import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/types.ts';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './env.ts';

const TTL_MS = 24 * 60 * 60 * 1000;
/** A key left `running` this long was abandoned by a crashed request. */
const STALE_MS = 60 * 1000;

/**
 * Stripe's `Idempotency-Key` semantics for every POST: the same key and body replay the
 * stored response, status included; the same key with another body is refused; the
 * same key while the first request still runs is a 409. Keys live 24 hours per merchant.
 * Successful responses and card errors are kept; other errors are not, so a request that
 * failed validation can be fixed and sent again with its key.
 */
export function idempotency(store: Store, clock: Clock): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      throw new ApiError(400, 'parameter_invalid', 'Idempotency-Key must be 1 to 255 characters.', {
        param: 'Idempotency-Key',
      });
    }
    const scope = `${c.get('merchant').id}:${c.get('livemode') ? 'live' : 'test'}`;
    const body = await c.req.text();
    const requestHash = createHash('sha256')
      .update(`${c.req.method} ${c.req.path}\n${body}`)
      .digest('hex');
    const now = clock.now();

    const prior = await store.transaction(async (tx) => {
      const row = await tx.getIdempotency(scope, key);
      const stale =
        row &&
        (row.expiresAt <= now || (row.status === 'running' && now - row.createdAt > STALE_MS));
      if (row && !stale) return row;
      if (row) await tx.deleteIdempotency(scope, key);
      await tx.claimIdempotency({
        merchantId: scope,
        key,
        requestHash,
        status: 'running',
        responseStatus: null,
        responseBody: null,
        createdAt: now,
        expiresAt: now + TTL_MS,
      });
      return null;
    });

    if (prior) {
      if (prior.requestHash !== requestHash) {
        throw new ApiError(
          422,
          'idempotency_key_mismatch',
          'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
          { type: 'idempotency_error' },
        );
      }
      if (prior.status === 'running') {
        throw new ApiError(
          409,
          'idempotency_key_in_use',
          'A request with this Idempotency-Key is still being processed. Retry in a moment.',
          { type: 'idempotency_error' },
        );
      }
      return c.body(prior.responseBody ?? '', prior.responseStatus as 200, {
        'content-type': 'application/json',
        'idempotent-replayed': 'true',
      });
    }

    await next();
    const status = c.res.status;
    if ((status >= 200 && status < 300) || status === 402) {
      const responseBody = await c.res.clone().text();
      await store.transaction((tx) =>
        tx.updateIdempotency(scope, key, { status: 'done', responseStatus: status, responseBody }),
      );
    } else {
      await store.transaction((tx) => tx.deleteIdempotency(scope, key));
    }
  };
}
