import type { Deps } from '../deps.ts';
import type { IntentRow } from '../store/types.ts';
import type { JobResult } from '../worker/enqueue.ts';
import type { HoldOperations } from './hold-operations.ts';
import { applyOutcome, paidBy } from './outcome.ts';
import { expireOpenIntent, UNSETTLED } from './transition.ts';

/** How long an abandoned payment the processor could not withdraw is watched. */
const WATCH_ABANDONED_MS = 24 * 60 * 60 * 1000;

/** After the processor's timeout and this long with no answer, an attempt is given up. */
export const RECOVER_GRACE_MS = 30_000;

/**
 * Background work on intents, run by the worker: following processing payments,
 * settling attempts whose processor call never returned, and expiring intents.
 */
export function createLifecycle(deps: Deps, holds: HoldOperations) {
  const { store, clock, config, logger } = deps;
  const publicUrl = config.publicUrl;

  async function loadAttempt(id: string) {
    return store.read(async (tx) => {
      const attempt = await tx.attempts.get(id);
      const intent = attempt ? await tx.intents.get(attempt.intentId) : null;
      return attempt && intent ? { attempt, intent } : null;
    });
  }

  return {
    /** Asks the processor about a processing attempt and applies the answer. */
    async pollAttempt(attemptId: string) {
      const found = await loadAttempt(attemptId);
      if (found?.attempt.status !== 'processing' || !found.attempt.processorReference) return;
      const processor = await deps.routing.adapter(found.attempt.processor, found.intent);
      if (!processor) return;
      const outcome = await processor.retrieve({
        reference: found.attempt.processorReference,
        amount: found.intent.amount,
        currency: found.intent.currency,
      });
      await store.transaction((tx) => applyOutcome(deps, tx, attemptId, outcome, clock.now()));
    },

    /**
     * An attempt still pending long after its processor call began: the process died
     * mid-call. With no processor reference there is nothing to look up, so the attempt
     * is failed and the shopper may try again.
     */
    async recoverAttempt(attemptId: string) {
      const found = await loadAttempt(attemptId);
      if (found?.attempt.status !== 'pending') return;
      if (found.attempt.processorReference) {
        // Opened in the processor's own fields: the processor knows; the intent's expiry
        // closes it if the shopper never pays.
        return;
      }
      logger.warn(
        { attempt: attemptId },
        'settling an attempt whose processor call never returned',
      );
      const now = clock.now();
      await store.transaction(async (tx) => {
        const attempt = await tx.attempts.get(attemptId);
        const intent = await tx.intents.get(found.intent.id);
        if (attempt?.status !== 'pending' || !intent) return;
        await applyOutcome(
          deps,
          tx,
          attemptId,
          {
            status: 'failed',
            reference: null,
            declineCode: 'processing_error',
            message: 'The payment could not be completed. Please try again.',
          },
          now,
        );
      });
    },

    /**
     * Withdraws, at the processor, an attempt Kassa gave up (the shopper left it or started
     * again, the intent closed). Where the processor cannot withdraw it, or it was too
     * late, the payment is watched until the processor settles it: a late payment is
     * recorded (and given back if the order moved on), never lost.
     */
    async closeSession(
      attemptId: string,
      withdraw?: 'declined' | 'given_up',
    ): Promise<JobResult | undefined> {
      const found = await loadAttempt(attemptId);
      let ref = found?.attempt.processorReference;
      // Settled since it was given up (a late payment was recorded): nothing to withdraw.
      const { status, declineCode } = found?.attempt ?? {};
      if (!found || status !== 'failed') return;
      if (!withdraw && declineCode !== 'abandoned') return;
      const processor = await deps.routing.adapter(found.attempt.processor, found.intent);
      if (!processor) return;
      if (!ref && withdraw === 'given_up' && processor.openSession) {
        // Opening it got no answer in time: opened again with the same attempt id (the
        // processor's idempotency key), the processor names the payment it made, if any.
        const { intent } = found;
        const session = await processor.openSession({
          attemptId,
          intentId: intent.id,
          merchantId: intent.merchantId,
          amount: intent.amount,
          currency: intent.currency,
          captureMethod: intent.captureMethod,
          paymentMethodType: found.attempt.methodType,
          returnUrl: `${publicUrl}/pay/${intent.id}`,
        });
        ref = session.reference;
        await store.transaction((tx) =>
          tx.attempts.update(attemptId, {
            processorReference: session.reference,
            updatedAt: clock.now(),
          }),
        );
      }
      if (!ref) return;
      const money = {
        reference: ref,
        amount: found.intent.amount,
        currency: found.intent.currency,
      };
      if (processor.cancel && processor.capabilities.cancelPending) {
        const closed = await processor.cancel({ ...money, operationId: `${attemptId}_close` });
        if (closed.canceled) return;
      }
      const outcome = await processor.retrieve(money);
      if (UNSETTLED.has(outcome.status)) {
        const age = clock.now() - found.attempt.createdAt;
        if (age > WATCH_ABANDONED_MS) {
          logger.warn(
            { attempt: attemptId },
            'an abandoned payment is still open at the processor; reconciliation will show it',
          );
          return;
        }
        return { retryAt: clock.now() + Math.min(60_000, Math.max(2_000, Math.round(age / 10))) };
      }
      await store.transaction((tx) => applyOutcome(deps, tx, attemptId, outcome, clock.now()));
      return undefined;
    },

    /**
     * Gives back money a late attempt took after the order was paid another way or closed:
     * a refund, or the release of a hold, with an operation id so a repeat moves nothing.
     * A processor that cannot is reported for the merchant to act on.
     */
    async returnPayment(attemptId: string) {
      const found = await loadAttempt(attemptId);
      const { attempt, intent } = found ?? {};
      if (!attempt || !intent || !attempt.processorReference) return;
      if (attempt.status !== 'succeeded' && attempt.status !== 'authorized') return;
      // Never the intent's own payment, whatever queued this.
      if (paidBy(intent, attempt.id)) return;
      const processor = await deps.routing.adapter(attempt.processor, intent);
      const req = {
        reference: attempt.processorReference,
        amount: intent.amount,
        currency: intent.currency,
        operationId: `${attemptId}_return`,
      };
      let returned = false;
      if (attempt.status === 'succeeded' && processor?.refund && processor.capabilities.refunds) {
        returned = (await processor.refund(req)).status !== 'failed';
      } else if (attempt.status === 'authorized' && processor?.cancel) {
        returned = (await processor.cancel(req)).canceled;
      }
      if (!returned) {
        logger.error(
          { attempt: attemptId, intent: intent.id, processor: attempt.processor },
          'money taken late could not be given back automatically: refund it at the processor',
        );
        return;
      }
      await store.transaction((tx) =>
        tx.attempts.update(attemptId, { status: 'returned', updatedAt: clock.now() }),
      );
    },

    /**
     * Settles attempts whose processor call never returned (the process died mid-call):
     * pending, with no processor reference, begun longer ago than the processor's timeout
     * and a grace. A confirm writes its pending attempt before it calls the processor, so
     * that row is all the recovery needs: no job per confirm.
     */
    async recoverStale(limit = 100): Promise<number> {
      const before = clock.now() - config.processorTimeoutMs - RECOVER_GRACE_MS;
      const stale = await store.read((tx) => tx.attempts.inFlight(before, limit));
      for (const attempt of stale) await this.recoverAttempt(attempt.id);
      return stale.length;
    },

    /**
     * Cancels held (manual-capture) payments not captured within the capture window,
     * releasing the funds at the processor.
     */
    async cancelStaleAuthorizations(limit = 100): Promise<number> {
      const now = clock.now();
      const stale = await store.read((tx) =>
        tx.intents.staleAuthorizations(now - config.captureWindowMs, limit),
      );
      for (const intent of stale) {
        await holds
          .run(
            intent.id,
            { operation: 'cancel', reason: 'automatic' },
            {
              load: async (tx) => {
                const row = await tx.intents.get(intent.id);
                if (!row) throw new Error(`intent ${intent.id} is gone`);
                return row;
              },
            },
          )
          .catch((err) =>
            logger.warn({ err, intent: intent.id }, 'could not release a stale hold'),
          );
      }
      return stale.length;
    },

    /**
     * Expires open intents past `expires_at`. One waiting for the shopper's action gets
     * a last look at the processor first: a payment that went through is recorded.
     */
    async expireDue(limit = 100): Promise<number> {
      const now = clock.now();
      const due = await store.read((tx) => tx.intents.expiredOpen(now, limit));
      for (const intent of due) {
        if (intent.latestAttemptId) {
          const settled = await lastLook(intent);
          if (settled) continue;
        }
        await store.transaction((tx) => expireOpenIntent(tx, intent.id, { now, publicUrl }));
      }
      return due.length;
    },
  };

  async function lastLook(intent: IntentRow): Promise<boolean> {
    const attempt = await store.read((tx) => tx.attempts.get(intent.latestAttemptId ?? ''));
    const processor = attempt ? await deps.routing.adapter(attempt.processor, intent) : undefined;
    if (!attempt?.processorReference || !processor) return false;
    if (attempt.status !== 'requires_action' && attempt.status !== 'pending') return false;
    try {
      const outcome = await processor.retrieve({
        reference: attempt.processorReference,
        amount: intent.amount,
        currency: intent.currency,
      });
      if (outcome.status === 'requires_action' || outcome.status === 'pending') return false;
      await store.transaction((tx) => applyOutcome(deps, tx, attempt.id, outcome, clock.now()));
      return outcome.status !== 'failed';
    } catch (err) {
      logger.warn({ err, intent: intent.id }, 'last look at the processor failed; expiring');
      return false;
    }
  }
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
