import type { EventType } from '@kassa/protocol';
import { ApiError } from '../http/api-error.ts';
import { recordEvent } from '../outbox/record.ts';
import type { IntentRow, StoreTx } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';
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
  const { id: _id, merchantId: _m, livemode: _l, createdAt: _c, ...changes } = patch;
  // Written only if nobody moved the intent since it was read (another process, a
  // webhook): then this move was decided on a stale status and the whole transaction
  // fails with a 409, nothing of it committed.
  await tx.intents.advance(intent.id, intent.status, { ...changes, updatedAt: opts.now }, moved);
  if (CLOSING.has(patch.status) && intent.latestAttemptId) {
    await leaveAttempt(
      tx,
      intent.latestAttemptId,
      opts.now,
      'The payment closed before it was completed.',
    );
  }
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

const CLOSING = new Set(['canceled', 'expired', 'failed']);

const moved = () =>
  new ApiError(
    409,
    'payment_intent_unexpected_state',
    'This payment changed while the request ran. Fetch it and try again.',
  );

/** Withdraws, at the processor, a payment Kassa gave up (the shopper left 3-D Secure or a
 * UPI request, started again, or the intent closed), and watches it until it is settled
 * there: money it takes late is recorded, never lost. */
export const CLOSE_SESSION_JOB = jobKind<{
  attempt: string;
  /** Why else it is withdrawn: the processor keeps a declined payment open for another
   * try (a Stripe PaymentIntent), or Kassa gave up opening it (the answer never came, and
   * the processor may have opened it after all). */
  withdraw?: 'declined' | 'given_up';
}>('attempt.close_session');

/** Where a payment still waits on the shopper or the processor (attempt or outcome). */
export const UNSETTLED: ReadonlySet<string> = new Set(['pending', 'requires_action', 'processing']);

/**
 * Gives up an attempt still waiting on the shopper or the processor: failed here as
 * `abandoned` — not a decline, so it uses up none of the shopper's attempts — and
 * withdrawn at the processor by a job. A pending attempt with no processor reference (its
 * authorise call is in flight) is left to that call. Returns whether it was given up.
 */
export async function leaveAttempt(
  tx: StoreTx,
  attemptId: string,
  now: number,
  why: string,
): Promise<boolean> {
  const attempt = await tx.attempts.get(attemptId);
  if (!attempt || !UNSETTLED.has(attempt.status)) return false;
  if (attempt.status === 'pending' && !attempt.processorReference) return false;
  await tx.attempts.update(attempt.id, {
    status: 'failed',
    declineCode: 'abandoned',
    failureMessage: why,
    updatedAt: now,
  });
  await enqueue(
    tx,
    CLOSE_SESSION_JOB,
    { attempt: attempt.id },
    { runAt: now, now, merchantId: attempt.merchantId },
  );
  return true;
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
  const fresh = (await tx.intents.get(id)) as IntentRow;
  if (!CONFIRMABLE.includes(fresh.status)) return fresh;
  if (fresh.latestAttemptId && fresh.status === 'requires_action') {
    await tx.attempts.update(fresh.latestAttemptId, {
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
