import { newId, randomToken } from '@kassa/protocol';
import type { Clock } from '../clock.ts';
import type { MerchantRow, Store, StoreTx } from '../store/types.ts';
import { generateKeyPair, hashSecret } from './keys.ts';

export interface CreatedMerchant {
  merchant: MerchantRow;
  keys: { livemode: boolean; publishable: string; secret: string }[];
}

/** Only scheme, host and port: what `event.origin` and `frame-ancestors` compare. */
export function normaliseOrigin(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`origin must be http(s): ${value}`);
  }
  // An origin and nothing else: it goes into a CSP header, where `;` or a space would
  // start another directive.
  const hostOk =
    /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$|^\[[0-9a-f:.]+\]$/.test(
      url.hostname,
    );
  const extra = url.username || url.password || url.search || url.hash || url.pathname !== '/';
  if (!hostOk || extra || value.replace(/\/$/, '').toLowerCase() !== url.origin) {
    throw new Error(`not an origin (scheme://host[:port]): ${value}`);
  }
  return url.origin;
}

async function insertKeys(tx: StoreTx, merchantId: string, livemode: boolean, now: number) {
  const pair = generateKeyPair(livemode);
  await tx.apiKeys.insert({
    id: `key_${randomToken(20)}`,
    merchantId,
    livemode,
    kind: 'publishable',
    publishableKey: pair.publishable,
    secretHash: null,
    last4: pair.publishable.slice(-4),
    createdAt: now,
    revokedAt: null,
  });
  await tx.apiKeys.insert(secretKeyRow(merchantId, livemode, pair.secret, now));
  return { livemode, ...pair };
}

/** A secret key as stored: its hash and last four characters, never the key. */
export const secretKeyRow = (
  merchantId: string,
  livemode: boolean,
  secret: string,
  now: number,
) => ({
  id: `key_${randomToken(20)}`,
  merchantId,
  livemode,
  kind: 'secret' as const,
  publishableKey: null,
  secretHash: hashSecret(secret),
  last4: secret.slice(-4),
  createdAt: now,
  revokedAt: null,
});

/**
 * Creates a merchant with test keys (and live keys when asked). Secret keys are stored
 * hashed: this is the only time they are seen.
 */
export async function createMerchant(
  store: Store,
  clock: Clock,
  input: { name: string; origins: string[]; live?: boolean; upiCollect?: boolean },
  /** Runs in the same transaction, after the merchant and keys are written. */
  within?: (tx: StoreTx, created: CreatedMerchant) => Promise<void>,
): Promise<CreatedMerchant> {
  const now = clock.now();
  const merchant: MerchantRow = {
    id: newId('mer'),
    name: input.name,
    allowedOrigins: [...new Set(input.origins.map(normaliseOrigin))],
    upiCollect: input.upiCollect ?? false,
    createdAt: now,
  };
  return store.transaction(async (tx) => {
    await tx.merchants.insert(merchant);
    const keys = [await insertKeys(tx, merchant.id, false, now)];
    if (input.live) keys.push(await insertKeys(tx, merchant.id, true, now));
    await within?.(tx, { merchant, keys });
    return { merchant, keys };
  });
}

const DEMO = 'demo_merchant';

/**
 * The demo merchant that `kassa start` creates on first start, so the storefront and
 * the README's walk-through work at once. Its test keys are kept in settings so they
 * can be printed on every start; it has no live keys.
 */
export async function ensureDemoMerchant(
  store: Store,
  clock: Clock,
  origins: string[],
  name = 'Kassa Demo Store',
): Promise<DemoKeys & { created: boolean }> {
  const saved = await store.read((tx) => tx.settings.get(DEMO));
  if (saved) {
    const keys = JSON.parse(saved) as DemoKeys;
    // The shop may run on other ports, or under another name, than at the first start.
    await store.transaction((tx) =>
      tx.merchants.update(keys.merchant_id, { name, allowedOrigins: origins }),
    );
    return { created: false, ...keys };
  }
  let demo: DemoKeys | undefined;
  // The demo shop shows both UPI flows: it is a merchant that turned collect on.
  await createMerchant(store, clock, { name, origins, upiCollect: true }, async (tx, c) => {
    const test = c.keys[0] as CreatedMerchant['keys'][number];
    demo = {
      merchant_id: c.merchant.id,
      publishable_key: test.publishable,
      secret_key: test.secret,
    };
    await tx.settings.set(DEMO, JSON.stringify(demo));
  });
  return { created: true, ...(demo as DemoKeys) };
}

export interface DemoKeys {
  merchant_id: string;
  publishable_key: string;
  secret_key: string;
}

/** How long a rolled secret key keeps working, so deployments can switch over. */
export const ROLL_GRACE_MS = 24 * 60 * 60 * 1000;
