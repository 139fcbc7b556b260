import type { EventType } from '@kassa/protocol';
import { recordEvent } from '../events/record.ts';
import type { IntentRow, StoreTx } from '../store/types.ts';
import { toPaymentIntent } from './serialize.ts';
import { assertTransition } from './status-machine.ts';

/**
 * Moves an intent through the status machine and writes its event in the same
 * transaction. The only way intent status changes.
 */
export async function moveIntent(
  tx: StoreTx,
  intent: IntentRow,
  patch: Partial<IntentRow> & Pick<IntentRow, 'status'>,
  opts: { event: EventType | null; now: number; publicUrl: string; action?: string },
): Promise<IntentRow> {
  assertTransition(intent.status, patch.status, opts.action ?? `move to ${patch.status}`);
  const next: IntentRow = { ...intent, ...patch, updatedAt: opts.now };
  await tx.updateIntent(intent.id, { ...patch, updatedAt: opts.now });
  if (opts.event) {
    await recordEvent(tx, {
      merchantId: intent.merchantId,
      livemode: intent.livemode,
      type: opts.event,
      object: toPaymentIntent(next, opts.publicUrl),
      now: opts.now,
    });
  }
  return next;
}
