import { type ConfigCache, configKeys } from './config-cache.ts';
import type { StoreRead } from './repos/compose.ts';
import type { ApiKeyRow, MerchantRow, ProcessorAccountRow, WebhookEndpointRow } from './rows.ts';

/**
 * Lookups outside any transaction, from the cache when it is current (no trip to the
 * store at all), else through a read (which fills it). For API key checks, routing, and
 * what a shopper's page shows.
 */
export function createDirectory(
  cache: ConfigCache,
  read: <T>(fn: (tx: StoreRead) => Promise<T>) => Promise<T>,
) {
  const through = <T>(key: string, load: (tx: StoreRead) => Promise<T>): Promise<T> => {
    const hit = cache.peek<T>(key);
    return hit ? Promise.resolve(hit.value) : read(load);
  };
  return {
    /** The key row of a secret key, by its SHA-256. */
    secretKey: (hash: string): Promise<ApiKeyRow | null> =>
      through(configKeys.secretKey(hash), (tx) => tx.apiKeys.bySecretHash(hash)),
    publishableKey: (key: string): Promise<ApiKeyRow | null> =>
      through(configKeys.publishableKey(key), (tx) => tx.apiKeys.byPublishable(key)),
    merchant: (id: string): Promise<MerchantRow | null> =>
      through(configKeys.merchant(id), (tx) => tx.merchants.get(id)),
    /** The merchant's newest unrevoked secret key of a mode (it signs payment results). */
    activeSecretKey: (merchantId: string, livemode: boolean): Promise<ApiKeyRow | null> =>
      through(configKeys.activeSecretKey(merchantId, livemode), (tx) =>
        tx.apiKeys.activeSecret(merchantId, livemode),
      ),
    accounts: (merchantId: string): Promise<ProcessorAccountRow[]> =>
      through(configKeys.accounts(merchantId), (tx) => tx.accounts.list(merchantId)),
    endpoints: (merchantId: string, livemode: boolean): Promise<WebhookEndpointRow[]> =>
      through(configKeys.endpoints(merchantId, livemode), (tx) =>
        tx.endpoints.live(merchantId, livemode),
      ),
  };
}

export type Directory = ReturnType<typeof createDirectory>;
