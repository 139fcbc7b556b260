import type { Context } from 'hono';
import type { MerchantRow } from '../store/types.ts';
import type { AppEnv } from './env.ts';
import type { IdempotencyClaim } from './idempotency.ts';

/** Who is calling, as the key authentication left it on the context. */
export interface Caller {
  merchant: MerchantRow;
  merchantId: string;
  livemode: boolean;
  /** The request's Idempotency-Key, when it sent one: what it commits is bound to it. */
  idem?: IdempotencyClaim;
}

export function callerOf(c: Pick<Context<AppEnv>, 'get'>): Caller {
  const merchant = c.get('merchant');
  return {
    merchant,
    merchantId: merchant.id,
    livemode: c.get('livemode'),
    idem: c.get('idempotency'),
  };
}

/** Where a row sits in a list, for `paginate`: read it with the caller as owner first
 * (`tx.intents.get(id, caller)`), so that another merchant's id is no cursor. */
export const keysetOf = (row: { createdAt: number; id: string } | null) =>
  row ? { createdAt: row.createdAt, id: row.id } : null;
