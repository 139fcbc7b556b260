/**
 * What an adapter throws when a call to its processor did not give an outcome. The gateway
 * tells them apart by `code` (never by class), and `retryable` says whether the same call,
 * with the same operation id, may be made again:
 *
 * - `processor_unavailable` (retryable): the processor did not answer, answered 5xx or 429,
 *   or the connection broke. The money may or may not have moved; only a retry with the
 *   same operation id, or a retrieve, can tell.
 * - `processor_refused`: the processor answered and turned the request down (4xx): an
 *   amount under its minimum, a currency the account does not take, a state that does
 *   not allow it. Nothing moved; `processorCode` and `param` say why, in its words.
 * - `idempotency_conflict`: the operation id was used before with other parameters.
 * - `credentials_invalid`: the processor refused the merchant's keys.
 */
export class ProcessorError extends Error {
  readonly code:
    | 'processor_unavailable'
    | 'processor_refused'
    | 'idempotency_conflict'
    | 'credentials_invalid';
  readonly retryable: boolean;
  /** The processor's own error code (`amount_too_small`, `payment_intent_unexpected_state`). */
  readonly processorCode: string | undefined;
  /** The request field the processor named, mapped to Kassa's (`amount`, `currency`). */
  readonly param: string | undefined;
  constructor(
    code: ProcessorError['code'],
    message: string,
    opts: { processorCode?: string; param?: string } = {},
  ) {
    super(message);
    this.name = 'ProcessorError';
    this.code = code;
    this.retryable = code === 'processor_unavailable';
    this.processorCode = opts.processorCode;
    this.param = opts.param;
  }
}

/**
 * Whether a failed processor call may be made again with the same operation id: a
 * `ProcessorError` says; anything else (a timeout of the gateway's own, a bug in an
 * adapter) may have reached the processor, so it is treated as retryable.
 */
export function isRetryable(err: unknown): boolean {
  const retryable = (err as { retryable?: unknown } | null)?.retryable;
  return typeof retryable === 'boolean' ? retryable : true;
}

/** The processor's refusal, if this error is one (by code, across packages). */
export function processorRefusal(err: unknown): ProcessorError | null {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'processor_refused' ||
    code === 'idempotency_conflict' ||
    code === 'credentials_invalid'
    ? (err as ProcessorError)
    : null;
}
