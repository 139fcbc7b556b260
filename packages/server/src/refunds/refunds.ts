import { processorRefusal } from '@kassa/processors';
import {
  type CreateRefundBody,
  intentIs,
  type ListRefundsQuery,
  newId,
  type Refund,
} from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { type Caller, keysetOf } from '../http/caller.ts';
import { bindIdempotency } from '../http/idempotency.ts';
import { paginate } from '../http/paginate.ts';
import { recordEvent } from '../outbox/record.ts';
import type { IntentRow, JobRow, RefundRow, StoreTx } from '../store/types.ts';
import { askAgainAt, enqueue, type JobResult, jobKind } from '../worker/enqueue.ts';

export const REFUND_JOB = jobKind<{ refund: string }>('refund.process');
/** A refund still pending this long after it was asked for is finished by the worker. */
const SAFETY_NET_MS = 30_000;

export function toRefund(row: RefundRow): Refund {
  return {
    id: row.id,
    object: 'refund',
    livemode: row.livemode,
    payment_intent: row.intentId,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    failure_reason: row.failureReason,
    metadata: row.metadata,
    created: Math.floor(row.createdAt / 1000),
  };
}

const event = (
  tx: StoreTx,
  row: RefundRow,
  type: 'refund.created' | 'refund.succeeded' | 'refund.failed',
  now: number,
) =>
  recordEvent(tx, {
    merchantId: row.merchantId,
    livemode: row.livemode,
    type,
    object: toRefund(row),
    now,
  });

/**
 * Records how a refund stands at the processor, once per change, inside the caller's
 * transaction: a pending refund becomes succeeded or failed (giving the amount back to
 * the intent) with its event, and a succeeded one the processor fails later (the card was
 * closed, the bank sent it back) becomes failed the same way, so the amount is
 * refundable again and the merchant hears `refund.failed`. A failed refund never comes
 * back. An outcome still pending only keeps the processor's refund id; the sweep (the
 * refund's job) or the processor's notification ends it later.
 */
export async function settleRefund(
  deps: Pick<Deps, 'logger'>,
  tx: StoreTx,
  refundId: string,
  outcome: {
    status: 'succeeded' | 'failed' | 'pending';
    reference: string | null;
    failureReason?: string;
  },
  now: number,
): Promise<void> {
  const fresh = await tx.refunds.get(refundId);
  if (!fresh || fresh.status === 'failed' || fresh.status === outcome.status) {
    if (fresh?.status === 'pending' && outcome.reference && !fresh.processorReference) {
      await tx.refunds.update(refundId, 'pending', {
        processorReference: outcome.reference,
        updatedAt: now,
      });
    }
    return;
  }
  // Succeeded is final unless the processor fails it afterwards; pending never goes back.
  if (outcome.status === 'pending') return;
  if (fresh.status === 'succeeded' && outcome.status !== 'failed') return;
  const patch = {
    status: outcome.status,
    processorReference: outcome.reference ?? fresh.processorReference,
    failureReason:
      outcome.status === 'failed'
        ? (outcome.failureReason ?? 'The processor declined the refund.')
        : null,
    updatedAt: now,
  };
  // Settled by whoever gets here first (the job, the processor's webhook): once.
  if (!(await tx.refunds.update(refundId, fresh.status, patch))) return;
  if (outcome.status === 'failed') await tx.refunds.giveBack(fresh.intentId, fresh.amount, now);
  if (fresh.status === 'succeeded') {
    deps.logger.warn(
      { refund: fresh.id, intent: fresh.intentId, reason: patch.failureReason },
      'a refund the processor had made failed afterwards; the amount is refundable again',
    );
  }
  await event(
    tx,
    { ...fresh, ...patch },
    outcome.status === 'succeeded' ? 'refund.succeeded' : 'refund.failed',
    now,
  );
}

/** Kassa's refund reasons as the processor takes them. */
const REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

const refundableOf = (intent: IntentRow) => intent.amountReceived - intent.amountRefunded;

/** Throws the error that says why `amount` cannot be refunded now, if it cannot. */
function overRefund(intent: IntentRow, amount: number) {
  const refundable = refundableOf(intent);
  if (refundable <= 0) {
    throw new ApiError(
      409,
      'charge_already_refunded',
      'This payment has already been refunded in full.',
      { param: 'payment_intent' },
    );
  }
  if (amount > refundable) {
    throw new ApiError(400, 'amount_too_large', `At most ${refundable} can still be refunded.`, {
      param: 'amount',
    });
  }
}

export function createRefunds(deps: Deps) {
  const { store, clock } = deps;
  const settle = (refundId: string, outcome: Parameters<typeof settleRefund>[3]) =>
    store.transaction((tx) => settleRefund(deps, tx, refundId, outcome, clock.now()));

  /**
   * Moves a pending refund on: makes it at the processor (its id is the operation id, so a
   * retry refunds nothing more), or, when it was made before (its reference is known, or
   * its answer was lost), asks the processor how it stands. Answers whether it is still
   * pending; a processor refusal (an idempotency conflict, a payment it cannot refund)
   * fails it with the processor's reason, and an outage throws (the caller tries again).
   */
  async function advance(refundId: string, opts: { lookFirst: boolean }): Promise<boolean> {
    const found = await store.read(async (tx) => {
      const refund = await tx.refunds.get(refundId);
      const intent = refund ? await tx.intents.get(refund.intentId) : null;
      const attempt = intent?.latestAttemptId
        ? await tx.attempts.get(intent.latestAttemptId)
        : null;
      return refund && intent ? { refund, intent, attempt } : null;
    });
    if (found?.refund.status !== 'pending') return false;
    const { refund, intent, attempt } = found;
    const processor = await deps.routing.adapter(attempt?.processor ?? intent.processor, intent);
    if (!processor?.refund || !attempt?.processorReference) {
      await settle(refundId, {
        status: 'failed',
        reference: null,
        failureReason: 'The processor cannot refund this payment.',
      });
      return false;
    }
    const payment = attempt.processorReference;
    try {
      if (processor.retrieveRefund && (refund.processorReference || opts.lookFirst)) {
        const record = await processor.retrieveRefund({
          reference: refund.processorReference,
          payment,
          operationId: refund.id,
        });
        if (record) {
          await settle(refundId, record);
          return record.status === 'pending';
        }
        if (refund.processorReference) {
          throw new Error(`the processor has no refund ${refund.processorReference}`);
        }
      } else if (refund.processorReference) {
        // No way to ask: the processor's notification ends it.
        return true;
      }
      const r = await processor.refund({
        reference: payment,
        amount: refund.amount,
        currency: refund.currency,
        operationId: refund.id,
        ...(refund.reason && REASONS.has(refund.reason)
          ? { reason: refund.reason as 'duplicate' | 'fraudulent' | 'requested_by_customer' }
          : {}),
      });
      await settle(refundId, r);
      return r.status === 'pending';
    } catch (err) {
      const refusal = processorRefusal(err);
      if (refusal) {
        await settle(refundId, {
          status: 'failed',
          reference: null,
          failureReason:
            refusal.code === 'idempotency_conflict'
              ? 'The processor refused the refund: its operation id was used with other parameters.'
              : `The processor refused the refund: ${refusal.message}`,
        });
        return false;
      }
      deps.logger.warn(
        { err, refund: refund.id },
        'refund not settled at the processor; the sweep will ask again',
      );
      throw err;
    }
  }

  /** The refund's job: sweeps a pending refund until the processor settles it, for as
   * long as that takes (an outage, a refund that settles days later). */
  async function process(refundId: string, job?: JobRow): Promise<JobResult> {
    const age = job ? clock.now() - job.createdAt : 0;
    let pending: boolean;
    try {
      pending = await advance(refundId, { lookFirst: true });
    } catch {
      pending = true;
    }
    // Asked again for as long as it stays pending (an outage, a refund settling days later).
    return pending ? { retryAt: askAgainAt(clock.now(), age, SAFETY_NET_MS) } : undefined;
  }

  async function getOwn(caller: Caller, id: string) {
    const row = await store.read((tx) => tx.refunds.get(id, caller));
    if (!row) throw notFound('refund', id);
    return row;
  }

  return {
    process,

    async create(caller: Caller, body: CreateRefundBody): Promise<RefundRow> {
      const now = clock.now();
      const resumed = caller.idem?.objectId;
      // A retry of a request that committed its refund: finish that one, never another.
      const refund = resumed
        ? await getOwn(caller, resumed)
        : await store.transaction(async (tx) => {
            const intent = await tx.intents.get(body.payment_intent, caller);
            if (!intent) {
              throw new ApiError(
                404,
                'resource_missing',
                `No such payment_intent: '${body.payment_intent}'`,
                {
                  param: 'payment_intent',
                },
              );
            }
            if (!intentIs.captured(intent.status)) {
              throw new ApiError(
                409,
                'payment_intent_unexpected_state',
                `Only a succeeded payment can be refunded; this one is ${intent.status}.`,
                {
                  param: 'payment_intent',
                },
              );
            }
            if (!deps.routing.capabilitiesOf(intent.processor)?.refunds) {
              throw new ApiError(
                400,
                'refunds_unsupported',
                "This payment's processor does not take refunds through Kassa.",
                { param: 'payment_intent' },
              );
            }
            // A first look, for a clear error; the reservation below is what holds.
            const amount = body.amount ?? refundableOf(intent);
            overRefund(intent, amount);
            const row: RefundRow = {
              id: newId('re'),
              merchantId: intent.merchantId,
              livemode: intent.livemode,
              intentId: intent.id,
              amount,
              currency: intent.currency,
              status: 'pending',
              reason: body.reason ?? null,
              failureReason: null,
              processorReference: null,
              metadata: body.metadata ?? {},
              createdAt: now,
              updatedAt: now,
            };
            // One statement adds the amount only while that much is unrefunded: two
            // refunds racing (two processes) cannot both pass the check above.
            if (!(await tx.refunds.reserve(intent.id, amount, now))) {
              // Another refund took part of it meanwhile: say what is left now.
              overRefund((await tx.intents.get(intent.id)) as IntentRow, amount);
              throw new Error(`refund of ${intent.id} neither reserved nor refused`);
            }
            await tx.refunds.insert(row);
            await bindIdempotency(tx, caller.idem, row.id);
            await event(tx, row, 'refund.created', now);
            await enqueue(
              tx,
              REFUND_JOB,
              { refund: row.id },
              { runAt: now + SAFETY_NET_MS, now, merchantId: row.merchantId },
            );
            return row;
          });
      // Resumed: the first call may have reached the processor; look before refunding.
      await advance(refund.id, { lookFirst: Boolean(resumed) }).catch(() => undefined);
      return (await store.read((tx) => tx.refunds.get(refund.id))) as RefundRow;
    },

    get: getOwn,

    /** A page of refunds, newest first, optionally one intent's. */
    list: (caller: Caller, q: ListRefundsQuery) =>
      store.read((tx) =>
        paginate(
          q,
          'refund',
          async (id) => keysetOf(await tx.refunds.get(id, caller)),
          (window) =>
            tx.refunds.list({
              merchantId: caller.merchantId,
              livemode: caller.livemode,
              intentId: q.payment_intent,
              ...window,
            }),
        ),
      ),
  };
}

export type Refunds = ReturnType<typeof createRefunds>;
