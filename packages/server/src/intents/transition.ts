import type { EventType } from '@kassa/protocol';
import { recordEvent } from '../events/record.ts';
import type { IntentRow, StoreTx } from '../store/types.ts';
import { toPaymentIntent } from './serialize.ts';
import { assertTransition, CONFIRMABLE } from './status-machine.ts';

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

/**
 * The one expiry: an intent still open past `expires_at` becomes `expired`, and an attempt
 * left waiting on the shopper (3-D Secure, an app) fails with it. The sweep and a late
 * confirm both use this, inside their transaction. Returns the intent as it now is.
 */
export async function expireOpenIntent(
  tx: StoreTx,
  id: string,
  opts: { now: number; publicUrl: string },
): Promise<IntentRow> {
  const fresh = (await tx.getIntent(id)) as IntentRow;
  if (!CONFIRMABLE.includes(fresh.status)) return fresh;
  if (fresh.latestAttemptId && fresh.status === 'requires_action') {
    await tx.updateAttempt(fresh.latestAttemptId, {
      status: 'failed',
      declineCode: 'expired',
      failureMessage: 'The payment expired before it was completed.',
      updatedAt: opts.now,
    });
  }
  return moveIntent(
    tx,
    fresh,
    { status: 'expired', nextAction: null },
    { event: 'payment_intent.expired', ...opts },
  );
}
