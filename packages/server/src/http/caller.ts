import type { Context } from 'hono';
import type { MerchantRow } from '../store/types.ts';
import type { AppEnv } from './env.ts';

/** Who is calling, as the key authentication left it on the context. */
export interface Caller {
  merchant: MerchantRow;
  merchantId: string;
  livemode: boolean;
}

export function callerOf(c: Pick<Context<AppEnv>, 'get'>): Caller {
  const merchant = c.get('merchant');
  return { merchant, merchantId: merchant.id, livemode: c.get('livemode') };
}
