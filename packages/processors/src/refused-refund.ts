import type { RefundOutcome } from './processor.ts';
import { processorRefusal } from './processor-error.ts';

/**
 * A refund the processor turned down before making one (more than is left, a disputed
 * charge, a payment not captured): final, with the processor's reason. It has no id at
 * the processor, so its reference says so, and a later lookup does not ask for it.
 */
export const refusedRefund = (operationId: string, failureReason: string): RefundOutcome => ({
  status: 'failed',
  reference: `refused_${operationId}`,
  failureReason,
});

export const isRefusedRefund = (reference: string) => reference.startsWith('refused_');

/**
 * A refund call's error as a refused refund when the processor refused it; null for the
 * errors to throw (a conflict of idempotency keys, network and server errors), after which
 * the gateway looks the refund up by its operation id and retries.
 */
export function refusedRefundOf(err: unknown, operationId: string): RefundOutcome | null {
  const refused = processorRefusal(err);
  return refused?.code === 'processor_refused'
    ? refusedRefund(operationId, refused.processorCode ?? refused.message)
    : null;
}
