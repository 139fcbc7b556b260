import type { Logger } from '../logger.ts';
import type { MerchantRow } from '../store/types.ts';
import type { IdempotencyClaim } from './idempotency.ts';

/** What middleware puts on the context for the handlers after it. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by the secret-key or publishable-key authentication. */
    merchant: MerchantRow;
    livemode: boolean;
    /** Which kind of key authenticated the request: idempotency keys are kept apart. */
    keyKind: 'secret' | 'publishable';
    /** Set when the request holds an Idempotency-Key. */
    idempotency: IdempotencyClaim | undefined;
  };
}
