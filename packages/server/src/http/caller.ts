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

/** The row if the caller owns it (same merchant, same mode), else null. */
export function ownRow<R extends { merchantId: string | null; livemode: boolean | null }>(
  caller: { merchantId: string; livemode: boolean },
  row: R | null | undefined,
): R | null {
  return row && row.merchantId === caller.merchantId && row.livemode === caller.livemode
    ? row
    : null;
}

/** Where a row the caller owns sits in a list: the cursor for `paginate`. */
export const ownKeyset = (
  caller: { merchantId: string; livemode: boolean },
  row: {
    merchantId: string | null;
    livemode: boolean | null;
    createdAt: number;
    id: string;
  } | null,
) => {
  const own = ownRow(caller, row);
  return own ? { createdAt: own.createdAt, id: own.id } : null;
};
