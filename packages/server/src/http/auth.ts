import type { MiddlewareHandler } from 'hono';
import { hashSecret, keyKind, keyLive, safeEqual } from '../merchants/keys.ts';
import { demoMerchantFor } from '../merchants/seed-credentials.ts';
import type { Store } from '../store/types.ts';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './env.ts';

/** The key from `Authorization: Bearer <key>` or HTTP Basic with the key as user name. */
function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic?.[1]) return Buffer.from(basic[1], 'base64').toString().split(':')[0] || null;
  return null;
}

const missing = () =>
  new ApiError(
    401,
    'api_key_missing',
    'No API key provided. Send it as `Authorization: Bearer <key>`.',
  );
const invalid = () => new ApiError(401, 'api_key_invalid', 'Invalid API key provided.');

/**
 * Authenticates with a secret key (`sk_test_…`, `sk_live_…`) for the merchant API, or
 * with a publishable key (`pk_…`) for the client API. Sets `merchant` and `livemode`.
 * With `optional`, a request without a key passes through unauthenticated (the client
 * API, where an intent's client secret is the credential).
 */
export function apiKeyAuth(
  store: Store,
  kind: 'secret' | 'publishable',
  opts: { optional?: boolean; demo?: boolean; now?: () => number } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = presentedKey(c.req.header('authorization'));
    if (!key && opts.optional) return next();
    if (!key) throw missing();
    if (kind === 'publishable') {
      // Seed 002's checkout example uses `key_test_abc123`: the demo merchant's test mode.
      const demo = await demoMerchantFor(store, opts.demo ?? false, key);
      if (demo) {
        c.set('merchant', demo);
        c.set('livemode', false);
        c.set('keyKind', 'publishable');
        return next();
      }
    }
    const claimed = keyKind(key);
    if (!claimed) throw invalid();
    if (claimed.kind !== kind) {
      throw kind === 'secret'
        ? new ApiError(
            401,
            'secret_key_required',
            'This call needs your secret key; publishable keys are for the browser.',
          )
        : new ApiError(
            401,
            'publishable_key_required',
            'Use your publishable key here: never put a secret key in a browser.',
          );
    }
    // From this process's cache when nothing changed since (config-cache.ts): a revoked
    // or expired key stops at once, its expiry checked against the time here.
    const hash = kind === 'secret' ? hashSecret(key) : '';
    const row =
      kind === 'secret'
        ? await store.directory.secretKey(hash)
        : await store.directory.publishableKey(key);
    // A secret key's row was found by its hash (equal by construction); a publishable
    // key is compared in constant time.
    const matches = row !== null && (kind === 'secret' || safeEqual(row.publishableKey ?? '', key));
    if (!row || !matches || !keyLive(row, (opts.now ?? Date.now)())) throw invalid();
    const merchant = await store.directory.merchant(row.merchantId);
    if (!merchant) throw invalid();
    c.set('merchant', merchant);
    c.set('livemode', row.livemode);
    c.set('keyKind', kind);
    await next();
  };
}
