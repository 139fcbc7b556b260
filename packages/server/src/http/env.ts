import type { Logger } from '../logger.ts';
import type { MerchantRow } from '../store/types.ts';

/** What middleware puts on the context for the handlers after it. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by the secret-key or publishable-key authentication. */
    merchant: MerchantRow;
    livemode: boolean;
  };
}
