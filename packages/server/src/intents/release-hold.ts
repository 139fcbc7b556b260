import type { Deps } from '../deps.ts';
import type { IntentRow } from '../store/types.ts';

/** Releases a held (authorised, not captured) payment at the processor that holds it. */
export async function releaseHold(deps: Deps, intent: IntentRow): Promise<void> {
  const attempt = await deps.store.read((tx) => tx.getAttempt(intent.latestAttemptId ?? ''));
  const processor = deps.processors[attempt?.processor ?? intent.processor];
  if (attempt?.processorReference && processor?.cancel) {
    await processor.cancel({
      reference: attempt.processorReference,
      amount: intent.amount,
      currency: intent.currency,
    });
  }
}
