import { type CreateRefundBody, type ListRefundsQuery, newId, type Refund } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { recordEvent } from '../events/record.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { type Caller, keysetOf } from '../http/caller.ts';
import { bindIdempotency } from '../http/idempotency.ts';
import { paginate } from '../http/paginate.ts';
import { routingOf } from '../processors/routing.ts';
import type { IntentRow, RefundRow, StoreTx } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';

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
 * Refunds, full or partial, several per payment. The amount is checked against what was
 * captured minus what is already refunded, and reserved, in one transaction: concurrent
 * requests can never refund more than was taken. A refund the processor turns down
 * gives its amount back.
 */
/**
 * Records how a refund ended at the processor, once, inside the caller's transaction: a
 * pending refund becomes succeeded or failed (giving the amount back to the intent) with
 * its event; one that already ended is left alone. An outcome still pending only keeps
 * the processor's refund id, and the processor's notification ends it later.
 */
export async function settleRefund(
  tx: StoreTx,
  refundId: string,
  outcome: {
    status: 'succeeded' | 'failed' | 'pending';
    reference: string | null;
    reason?: string;
  },
  now: number,
): Promise<void> {
  const fresh = await tx.getRefund(refundId);
  if (fresh?.status !== 'pending') return;
  if (outcome.status === 'pending') {
    await tx.updateRefund(refundId, 'pending', {
      processorReference: outcome.reference,
      updatedAt: now,
    });
    return;
  }
  const patch = {
    status: outcome.status,
    processorReference: outcome.reference ?? fresh.processorReference,
    failureReason:
      outcome.reason ?? (outcome.status === 'failed' ? 'The processor declined the refund.' : null),
    updatedAt: now,
  };
  // Settled by whoever gets here first (the job, the processor's webhook): once.
  if (!(await tx.updateRefund(refundId, 'pending', patch))) return;
  if (outcome.status === 'failed') await tx.returnRefund(fresh.intentId, fresh.amount, now);
  await event(
    tx,
    { ...fresh, ...patch },
    outcome.status === 'succeeded' ? 'refund.succeeded' : 'refund.failed',
    now,
  );
}

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
  const settle = (refundId: string, outcome: Parameters<typeof settleRefund>[2]) =>
    store.transaction((tx) => settleRefund(tx, refundId, outcome, clock.now()));

  async function process(refundId: string): Promise<void> {
    const found = await store.read(async (tx) => {
      const refund = await tx.getRefund(refundId);
      const intent = refund ? await tx.getIntent(refund.intentId) : null;
      const attempt = intent?.latestAttemptId ? await tx.getAttempt(intent.latestAttemptId) : null;
      return refund && intent ? { refund, intent, attempt } : null;
    });
    if (!found || found.refund.status !== 'pending' || found.refund.processorReference) return;
    const { refund, intent, attempt } = found;
    const processor = await routingOf(deps).adapter(attempt?.processor ?? intent.processor, intent);
    if (!processor?.refund || !attempt?.processorReference) {
      return settle(refundId, {
        status: 'failed',
        reference: null,
        reason: 'The processor cannot refund this payment.',
      });
    }
    try {
      // The refund's id is the operation id: a retry (the worker's, or a resumed
      // request's) is recognised by the processor and refunds nothing more.
      const r = await processor.refund({
        reference: attempt.processorReference,
        amount: refund.amount,
        currency: refund.currency,
        operationId: refund.id,
      });
      return settle(refundId, {
        ...r,
        reason: r.status === 'failed' ? 'The processor declined the refund.' : undefined,
      });
    } catch (err) {
      deps.logger.warn(
        { err, refund: refund.id },
        'refund failed at the processor; the worker will try again',
      );
      throw err;
    }
  }

  async function getOwn(caller: Caller, id: string) {
    const row = await store.read((tx) => tx.getRefund(id, caller));
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
            const intent = await tx.getIntent(body.payment_intent, caller);
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
            if (intent.status !== 'succeeded') {
              throw new ApiError(
                409,
                'payment_intent_unexpected_state',
                `Only a succeeded payment can be refunded; this one is ${intent.status}.`,
                {
                  param: 'payment_intent',
                },
              );
            }
            if (!routingOf(deps).capabilitiesOf(intent.processor)?.refunds) {
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
            if (!(await tx.reserveRefund(intent.id, amount, now))) {
              // Another refund took part of it meanwhile: say what is left now.
              overRefund((await tx.getIntent(intent.id)) as IntentRow, amount);
              throw new Error(`refund of ${intent.id} neither reserved nor refused`);
            }
            await tx.insertRefund(row);
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
      await process(refund.id).catch(() => undefined);
      return (await store.read((tx) => tx.getRefund(refund.id))) as RefundRow;
    },

    get: getOwn,

    /** A page of refunds, newest first, optionally one intent's. */
    list: (caller: Caller, q: ListRefundsQuery) =>
      store.read((tx) =>
        paginate(
          q,
          'refund',
          async (id) => keysetOf(await tx.getRefund(id, caller)),
          (window) =>
            tx.listRefunds({
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
