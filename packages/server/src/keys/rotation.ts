/**
 * Rolling and expiring secret keys, each change recorded as an `api_key.*` event in its own
 * transaction: the audit trail the dashboard and `kassa keys` leave.
 */
import type { ApiKey } from '@kassa/protocol';
import type { Clock } from '../clock.ts';
import { generateKeyPair, keyLive } from '../merchants/keys.ts';
import { ROLL_GRACE_MS, secretKeyRow } from '../merchants/merchants.ts';
import { recordEvent } from '../outbox/record.ts';
import type { ApiKeyRow, Store, StoreTx } from '../store/types.ts';

/** The audit record of a change to a key: an event, in the change's own transaction. */
function recordKeyChange(
  tx: StoreTx,
  type: 'api_key.rolled' | 'api_key.expired',
  key: ApiKeyRow,
  expiresAt: number,
  changedBy: string,
  now: number,
) {
  const object: ApiKey = {
    id: key.id,
    object: 'api_key',
    livemode: key.livemode,
    type: 'secret',
    last4: key.last4,
    created: Math.floor(key.createdAt / 1000),
    expires_at: Math.floor(expiresAt / 1000),
    changed_by: changedBy,
  };
  return recordEvent(tx, { merchantId: key.merchantId, livemode: key.livemode, type, object, now });
}

/**
 * A new secret key for a merchant's mode, shown this once; the one it replaces keeps
 * working for `graceMs` (0: ends now). Two rolls at once: one wins, the other is refused.
 * `changedBy` (`dashboard:<email>`, `cli`) goes into the `api_key.rolled` event.
 */
export async function rollSecretKey(
  store: Store,
  clock: Clock,
  merchantId: string,
  livemode: boolean,
  changedBy: string,
  graceMs = ROLL_GRACE_MS,
): Promise<{ secret: string; previousExpiresAt: number | null } | null> {
  const now = clock.now();
  const secret = generateKeyPair(livemode).secret;
  return store.transaction(async (tx) => {
    const current = await tx.apiKeys.activeSecret(merchantId, livemode);
    if (current && !(await tx.apiKeys.revoke(current.id, now + graceMs))) return null;
    await tx.apiKeys.insert(secretKeyRow(merchantId, livemode, secret, now));
    if (current) {
      await recordKeyChange(tx, 'api_key.rolled', current, now + graceMs, changedBy, now);
    }
    return { secret, previousExpiresAt: current ? now + graceMs : null };
  });
}

/**
 * Expires now the merchant's live secret keys of this mode that end in `last4`: a rolled
 * one still in its grace period, or the current one (a leaked key). Expiring the current
 * key makes a new one in the same transaction, so the merchant is never left without one;
 * it is answered once. Every process sees it at once (keys are read from the database on
 * every request). Each expired key is an `api_key.expired` event. Null when no live key
 * ends so.
 */
export async function expireSecretKey(
  store: Store,
  clock: Clock,
  merchantId: string,
  livemode: boolean,
  last4: string,
  changedBy: string,
): Promise<{ expired: number; secret: string | null } | null> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const matching = (await tx.apiKeys.list(merchantId, livemode)).filter(
      (k) => k.kind === 'secret' && keyLive(k, now) && k.last4 === last4,
    );
    if (matching.length === 0) return null;
    let secret: string | null = null;
    if (matching.some((k) => k.revokedAt === null)) {
      secret = generateKeyPair(livemode).secret;
      await tx.apiKeys.insert(secretKeyRow(merchantId, livemode, secret, now));
    }
    let expired = 0;
    for (const k of matching) {
      if (!(await tx.apiKeys.expire(k.id, now))) continue;
      expired += 1;
      await recordKeyChange(tx, 'api_key.expired', k, now, changedBy, now);
    }
    return { expired, secret };
  });
}
