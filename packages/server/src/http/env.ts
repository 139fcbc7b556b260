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
    /** Which kind of key authenticated the request: idempotency keys are kept apart. */
    keyKind: 'secret' | 'publishable';
    /** Set when the request holds an Idempotency-Key. */
    idempotency: IdempotencyClaim | undefined;
  };
}

/** The Idempotency-Key a request holds (`idempotency.ts` claims it). */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  /** Fences every write of this request: a request that lost the key writes nothing. */
  token: string;
  /** What an earlier holder committed under this key, which this request resumes. */
  objectId: string | null;
}
