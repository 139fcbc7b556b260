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
