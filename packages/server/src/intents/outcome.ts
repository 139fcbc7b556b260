import type { PaymentFacts, ProcessorOutcome } from '@kassa/processors';
import { isTerminal } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { recordEvent } from '../outbox/record.ts';
import type { AttemptRow, IntentRow, PaymentErrorData, StoreTx } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';
import { toPaymentIntent } from './serialize.ts';
import { CLOSE_SESSION_JOB, leaveAttempt, moveIntent } from './transition.ts';

/** How long to wait before asking the processor again about a processing payment. */
export const POLL_DELAY_MS = 1000;

const CARD_CODES = new Set([
  'expired_card',
  'incorrect_cvc',
  'processing_error',
  'incorrect_number',
]);

function paymentError(attempt: AttemptRow, declineCode: string, message: string): PaymentErrorData {
  const code =
    declineCode === 'authentication_failed'
      ? 'payment_intent_authentication_failure'
      : CARD_CODES.has(declineCode)
        ? declineCode
        : attempt.methodType === 'card'
          ? 'card_declined'
          : 'payment_declined';
  return { code, decline_code: declineCode, message, payment_attempt: attempt.id };
}

/** How far along a payment is; an outcome behind the attempt's own is stale. */
const PROGRESS: Record<AttemptRow['status'] | ProcessorOutcome['status'], number> = {
  pending: 0,
  requires_action: 1,
  processing: 2,
  authorized: 3,
  succeeded: 4,
  failed: 4,
  returned: 5,
};

/** Intents still waiting to be paid: a late payment from an abandoned attempt is theirs. */
const OPEN = new Set(['requires_payment_method', 'requires_action', 'processing']);

const absolute = (url: string, base: string) => new URL(url, `${base}/`).toString();

/**
 * Applies what the processor said about an attempt: the one place where processor
 * outcomes become intent statuses. Safe to call twice with the same outcome, and an
 * outcome for an attempt that is already settled never moves the intent backwards.
 */
export async function applyOutcome(
  deps: Pick<Deps, 'config' | 'logger' | 'metrics'>,
  tx: StoreTx,
  attemptId: string,
  outcome: ProcessorOutcome,
  now: number,
  opts: {
    /** The `processing` event was already sent (a payment confirmed on creation). */
    processingAnnounced?: boolean;
    /** The attempt's intent, when the caller knows it: both are read at once. */
    intentId?: string;
  } = {},
): Promise<IntentRow> {
  const [attempt, known] = await Promise.all([
    tx.attempts.get(attemptId),
    opts.intentId ? tx.intents.get(opts.intentId) : null,
  ]);
  if (!attempt) throw new Error(`applyOutcome: no attempt ${attemptId}`);
  const intent = known?.id === attempt.intentId ? known : await tx.intents.get(attempt.intentId);
  if (!intent) throw new Error(`applyOutcome: no intent ${attempt.intentId}`);
  const { config } = deps;
  const base = { now, publicUrl: config.publicUrl };

  const paid = outcome.status === 'succeeded' || outcome.status === 'authorized';
  const differs =
    outcome.status !== 'failed' && outcome.facts && mismatchOf(intent, attempt, outcome.facts);
  if (differs && attempt.status !== 'succeeded') {
    return processorMismatch(deps, tx, attempt, intent, outcome, differs, now);
  }
  if (paid && attempt.status === 'failed' && attempt.declineCode === 'abandoned') {
    return latePayment(deps, tx, attempt, intent, outcome, now);
  }
  if (paid && attempt.status === 'failed') {
    // Kassa gave this payment up (declined, abandoned, closed) and the processor took the
    // money after all: never silent. The reconciliation lists it for a refund.
    deps.logger.error(
      { attempt: attempt.id, intent: intent.id, reference: outcome.reference },
      'processor reports money taken on an attempt Kassa recorded as failed',
    );
  }
  if (attempt.status === 'succeeded' || attempt.status === 'failed') return intent;
  // A late or out-of-order answer (processing after authorized) never moves backwards.
  if (PROGRESS[outcome.status] < PROGRESS[attempt.status]) return intent;
  if (attempt.status === outcome.status) {
    // Nothing new (a repeated notification, or a poll that found no change).
    if (outcome.status === 'processing') {
      await pollLater(tx, attempt, now);
    }
    return intent;
  }

  const reference = outcome.reference ?? attempt.processorReference;
  const stale = intent.latestAttemptId !== attempt.id || isTerminal(intent.status);
  if (stale && paid) return latePayment(deps, tx, attempt, intent, outcome, now);
  if (stale) {
    // The shopper moved on (or the intent closed); keep the attempt's truth for
    // reconciliation but leave the intent alone.
    await tx.attempts.update(attempt.id, {
      status: outcome.status === 'requires_action' ? 'failed' : outcome.status,
      processorReference: reference,
      updatedAt: now,
    });
    return intent;
  }

  // A capture or release of this hold is under way: it records its own result.
  if (intent.operation && attempt.status === 'authorized') return intent;
  if (attempt.status === 'authorized' && outcome.status === 'failed') {
    // The hold was released at the processor (expired there, or cancelled in its dashboard).
    await tx.attempts.update(attempt.id, { status: 'failed', updatedAt: now });
    return moveIntent(
      tx,
      intent,
      {
        status: 'canceled',
        amountCapturable: 0,
        nextAction: null,
        canceledAt: now,
        cancellationReason: 'automatic',
      },
      { ...base, event: 'payment_intent.canceled' },
    );
  }

  if (outcome.status !== 'pending') {
    deps.metrics?.paymentOutcome(tx, {
      processor: attempt.processor,
      method: attempt.methodType,
      outcome: outcome.status,
      declineCode: outcome.status === 'failed' ? outcome.declineCode : '',
    });
  }
  switch (outcome.status) {
    case 'pending':
      // Still open in the processor's fields: nothing to record yet.
      return intent;
    case 'succeeded':
      await tx.attempts.update(attempt.id, {
        status: 'succeeded',
        processorReference: reference,
        updatedAt: now,
      });
      return moveIntent(
        tx,
        intent,
        {
          status: 'succeeded',
          amountReceived: intent.amountCapturable > 0 ? intent.amountCapturable : intent.amount,
          amountCapturable: 0,
          nextAction: null,
          lastPaymentError: null,
        },
        { ...base, event: 'payment_intent.succeeded' },
      );
    case 'authorized':
      await tx.attempts.update(attempt.id, {
        status: 'authorized',
        processorReference: reference,
        updatedAt: now,
      });
      return moveIntent(
        tx,
        intent,
        {
          status: 'requires_capture',
          amountCapturable: intent.amount,
          nextAction: null,
          lastPaymentError: null,
        },
        { ...base, event: 'payment_intent.amount_capturable_updated' },
      );
    case 'processing':
      await tx.attempts.update(attempt.id, {
        status: 'processing',
        processorReference: reference,
        updatedAt: now,
      });
      await pollLater(tx, attempt, now);
      return moveIntent(
        tx,
        intent,
        { status: 'processing', nextAction: null },
        // The intent already shows `processing` while the processor is called; the event
        // marks that the payment stays processing after the call.
        { ...base, event: opts.processingAnnounced ? null : 'payment_intent.processing' },
      );
    case 'requires_action':
      await tx.attempts.update(attempt.id, {
        status: 'requires_action',
        processorReference: reference,
        updatedAt: now,
      });
      return moveIntent(
        tx,
        intent,
        {
          status: 'requires_action',
          nextAction: {
            type: outcome.action.type,
            // Processor fields on the payment page carry the shopper through it (Stripe.js's
            // 3-D Secure): the payment page is the place to go.
            url: absolute(outcome.action.url ?? `/pay/${intent.id}`, config.publicUrl),
            ...(outcome.action.testUrl && {
              test_url: absolute(outcome.action.testUrl, config.publicUrl),
            }),
          },
        },
        { ...base, event: 'payment_intent.requires_action' },
      );
    case 'failed': {
      await tx.attempts.update(attempt.id, {
        status: 'failed',
        processorReference: reference,
        declineCode: outcome.declineCode,
        failureMessage: outcome.message,
        updatedAt: now,
      });
      if (outcome.open) {
        // The processor keeps the declined payment open for another try; the shopper's
        // next try is a new attempt, so this one is withdrawn there.
        await enqueue(
          tx,
          CLOSE_SESSION_JOB,
          { attempt: attempt.id, withdraw: 'declined' },
          { runAt: now, now, merchantId: attempt.merchantId },
        );
      }
      const failedAttempts = intent.failedAttempts + 1;
      return moveIntent(
        tx,
        intent,
        {
          status: failedAttempts >= config.maxAttempts ? 'failed' : 'requires_payment_method',
          failedAttempts,
          nextAction: null,
          lastPaymentError: paymentError(attempt, outcome.declineCode, outcome.message),
        },
        { ...base, event: 'payment_intent.payment_failed' },
      );
    }
  }
}

/**
 * The first way the processor's record of a payment differs from the intent and the
 * attempt it was opened for, or null: an amount or currency other than the intent's (an
 * event replayed from another order, a payment changed at the processor), the other mode,
 * or Kassa ids of another intent, attempt or merchant.
 */
export function mismatchOf(
  intent: IntentRow,
  attempt: AttemptRow,
  facts: PaymentFacts,
): 'amount' | 'currency' | 'livemode' | 'intent' | 'attempt' | 'merchant' | null {
  if (facts.currency.toUpperCase() !== intent.currency.toUpperCase()) return 'currency';
  if (facts.amount !== intent.amount) return 'amount';
  if (facts.livemode !== undefined && facts.livemode !== intent.livemode) return 'livemode';
  const ids = facts.kassa ?? {};
  if (ids.merchant !== undefined && ids.merchant !== intent.merchantId) return 'merchant';
  if (ids.intent !== undefined && ids.intent !== intent.id) return 'intent';
  if (ids.attempt !== undefined && ids.attempt !== attempt.id) return 'attempt';
  return null;
}

/**
 * A payment whose processor record differs from the intent: never recorded as paid. The
 * attempt fails as `processor_mismatch` (not the shopper's decline: it uses up none of
 * their attempts), the intent gets a `payment_intent.processor_mismatch` alert for the
 * merchant and the dashboard, a metric counts it, and reconciliation lists the payment
 * with the processor's own amount and currency.
 */
async function processorMismatch(
  deps: Pick<Deps, 'config' | 'logger' | 'metrics'>,
  tx: StoreTx,
  attempt: AttemptRow,
  intent: IntentRow,
  outcome: Exclude<ProcessorOutcome, { status: 'failed' }>,
  field: NonNullable<ReturnType<typeof mismatchOf>>,
  now: number,
): Promise<IntentRow> {
  const facts = outcome.facts as PaymentFacts;
  const message = `The processor's record of this payment differs from the PaymentIntent (${field}): it was not recorded as paid.`;
  if (attempt.status === 'failed' && attempt.declineCode === 'processor_mismatch') return intent;
  // Once per attempt, excluded by the database: the page's call and the processor's
  // webhook can find the same mismatch at once (each read the attempt before the other's
  // commit); the second waits on this row and then does nothing.
  if (!(await tx.settings.claim(`processor_mismatch:${attempt.id}`, String(now)))) return intent;
  deps.logger.error(
    {
      attempt: attempt.id,
      intent: intent.id,
      field,
      processor: attempt.processor,
      reference: outcome.reference,
      processor_amount: facts.amount,
      processor_currency: facts.currency,
      processor_status: outcome.status,
    },
    "processor's record differs from the intent; not recorded as paid",
  );
  deps.metrics?.processorMismatch(tx, attempt.processor, field);
  await tx.attempts.update(attempt.id, {
    status: 'failed',
    processorReference: outcome.reference ?? attempt.processorReference,
    declineCode: 'processor_mismatch',
    failureMessage: `${message} Processor: ${facts.amount} ${facts.currency.toUpperCase()}, ${outcome.status}.`,
    updatedAt: now,
  });
  const current = intent.latestAttemptId === attempt.id && OPEN.has(intent.status);
  const patch = current
    ? {
        status: 'requires_payment_method' as const,
        nextAction: null,
        lastPaymentError: {
          code: 'processor_mismatch',
          decline_code: 'processor_mismatch',
          message,
          payment_attempt: attempt.id,
        },
      }
    : { status: intent.status };
  if (!current && isTerminal(intent.status)) {
    // A closed intent cannot move; the alert still goes out.
    await recordEvent(tx, {
      merchantId: intent.merchantId,
      livemode: intent.livemode,
      type: 'payment_intent.processor_mismatch',
      object: toPaymentIntent(intent, deps.config.publicUrl),
      now,
    });
    return intent;
  }
  return moveIntent(tx, intent, patch, {
    now,
    publicUrl: deps.config.publicUrl,
    event: 'payment_intent.processor_mismatch',
  });
}

/**
 * Money taken on an attempt Kassa had given up (the shopper left it) or no longer follows.
 * While the intent is still waiting to be paid, this is its payment: the attempt becomes
 * the intent's again and the success is recorded as any other (events, webhooks), and a
 * newer attempt still under way is withdrawn. Otherwise the order was paid another way or
 * closed: the attempt is recorded as paid and a job gives the money back at the processor,
 * so the shopper is never charged twice.
 */
async function latePayment(
  deps: Pick<Deps, 'config' | 'logger' | 'metrics'>,
  tx: StoreTx,
  attempt: AttemptRow,
  intent: IntentRow,
  outcome: Extract<ProcessorOutcome, { status: 'succeeded' | 'authorized' }>,
  now: number,
): Promise<IntentRow> {
  // Paid by this very attempt: another process recorded the same outcome first (its
  // commit fell between this transaction's reads). Nothing is late; nothing to give back.
  if (paidBy(intent, attempt.id)) return intent;
  const reference = outcome.reference ?? attempt.processorReference;
  if (OPEN.has(intent.status) && !intent.operation) {
    if (intent.latestAttemptId && intent.latestAttemptId !== attempt.id) {
      await leaveAttempt(tx, intent.latestAttemptId, now, 'An earlier attempt was paid.');
    }
    await tx.attempts.update(attempt.id, {
      status: 'processing',
      declineCode: null,
      failureMessage: null,
      processorReference: reference,
      updatedAt: now,
    });
    if (!(await tx.intents.update(intent.id, intent.status, { latestAttemptId: attempt.id }))) {
      throw new Error(`latePayment: intent ${intent.id} moved`);
    }
    deps.logger.info(
      { attempt: attempt.id, intent: intent.id },
      'an attempt the shopper left was paid after all; recording it',
    );
    return applyOutcome(deps, tx, attempt.id, outcome, now);
  }
  await tx.attempts.update(attempt.id, {
    status: outcome.status,
    processorReference: reference,
    updatedAt: now,
  });
  await enqueue(
    tx,
    RETURN_PAYMENT_JOB,
    { attempt: attempt.id },
    { runAt: now, now, merchantId: attempt.merchantId },
  );
  deps.logger.warn(
    { attempt: attempt.id, intent: intent.id, status: intent.status },
    'money taken on an attempt the intent no longer follows; giving it back',
  );
  return intent;
}

/** Whether the intent holds or took its money through this attempt. */
export const paidBy = (intent: IntentRow, attemptId: string) =>
  intent.latestAttemptId === attemptId &&
  (intent.status === 'succeeded' || intent.status === 'requires_capture');

/** Gives back, at the processor, money a late attempt took (refund, or release a hold). */
export const RETURN_PAYMENT_JOB = jobKind<{ attempt: string }>('attempt.return_payment');

/** Asks the processor about a payment still processing. */
export const POLL_ATTEMPT_JOB = jobKind<{ attempt: string }>('attempt.poll');

/** Asks the processor again in a moment about a payment still processing. */
function pollLater(tx: StoreTx, attempt: AttemptRow, now: number) {
  const at = { runAt: now + POLL_DELAY_MS, now, merchantId: attempt.merchantId };
  return enqueue(tx, POLL_ATTEMPT_JOB, { attempt: attempt.id }, at);
}
