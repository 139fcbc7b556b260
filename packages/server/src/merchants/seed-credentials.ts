import type { Store } from '../store/types.ts';
import type { DemoKeys } from './merchants.ts';

/** Seed 002's example credentials. They open the demo merchant, in test mode only. */
export const SEED_KEY = 'key_test_abc123';
export const SEED_SECRET = 'secret_test_xyz789';

/** The demo merchant, when the seed's key (and secret, if given) are presented to a demo
 * install (`KASSA_DEMO`, as `npm start` runs); a gateway started for real use has no
 * such credentials. */
export async function demoMerchantFor(
  store: Store,
  enabled: boolean,
  key: string,
  secret?: string,
) {
  if (!enabled || key !== SEED_KEY || (secret !== undefined && secret !== SEED_SECRET)) {
    return null;
  }
  return store.read(async (tx) => {
    const saved = await tx.settings.get('demo_merchant');
    if (!saved) return null;
    return tx.merchants.get((JSON.parse(saved) as DemoKeys).merchant_id);
  });
}
