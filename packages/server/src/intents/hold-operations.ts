import { processorRefusal } from '@kassa/processors';
import { intentIs } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { bindIdempotency, type IdempotencyClaim } from '../http/idempotency.ts';
import type { IntentRow, JobRow, StoreRead } from '../store/types.ts';
import { askAgainAt, enqueue, type JobResult, jobKind } from '../worker/enqueue.ts';
import { unexpectedState } from './status-machine.ts';
import { moveIntent } from './transition.ts';

/** Finishes a capture or cancel whose request died after claiming it. */
export const HOLD_OPERATION_JOB = jobKind<{ intent: string } & HoldOperationInput>(
  'intent.hold_operation',
);
const RECOVER_GRACE_MS = 30_000;

export type HoldOperation = 'capture' | 'cancel';

/** What a cancel writes on an intent, held or not. */
export const canceledPatch = (now: number, reason: string | undefined) => ({
  status: 'canceled' as const,
  amountCapturable: 0,
  nextAction: null,
  canceledAt: now,
  cancellationReason: reason ?? 'requested_by_customer',
});

export interface HoldOperationInput {
  operation: HoldOperation;
  /** For a capture: how much. */
  amount?: number;
  /** For a cancel: why. */
  reason?: string;
}

/**
 * Capturing or releasing a held (authorised, not captured) payment. The operation is
 * claimed in the database first (`intents.operation`), so a capture and a cancel — from
 * any process — exclude each other before either reaches the processor; the processor
 * call carries an operation id its own idempotency honours; and a job enqueued with the
 * claim finishes the operation if the process dies mid-call.
 */
export function createHoldOperations(deps: Deps) {
  const { store, clock, config } = deps;
  const publicUrl = config.publicUrl;

  const busy = (op: string) =>
    new ApiError(
      409,
      op === 'capture' ? 'capture_in_progress' : 'cancel_in_progress',
      `This PaymentIntent is already being ${op === 'capture' ? 'captured' : 'canceled'}.`,
    );

  /** Claims the operation; `check` runs on the fresh intent inside the transaction. */
  async function claim(
    id: string,
    input: HoldOperationInput,
    idem: IdempotencyClaim | undefined,
    load: (tx: StoreRead) => Promise<IntentRow>,
    check: (intent: IntentRow) => void = () => undefined,
  ): Promise<IntentRow> {
    const now = clock.now();
    return store.transaction(async (tx) => {
      const intent = await load(tx);
      // A capture without an answer shows `processing`; a retry of its request resumes it.
      const resuming =
        intentIs.processing(intent.status) &&
        intent.operation === input.operation &&
        idem?.objectId === id;
      if (!intentIs.held(intent.status) && !resuming) {
        if (intent.operation) throw busy(intent.operation);
        throw unexpectedState(intent.status, input.operation);
      }
      if (intent.operation && intent.operation !== input.operation) throw busy(intent.operation);
      // The same operation is resumed only by a retry of the request that claimed it.
      if (intent.operation === input.operation && idem?.objectId !== id) {
        throw busy(intent.operation);
      }
      check(intent);
      if (!(await tx.intents.claimOperation(id, input.operation, intent.status, now))) {
        throw busy(input.operation);
      }
      await bindIdempotency(tx, idem, id);
      if (intent.operation === null) {
        await enqueue(
          tx,
          HOLD_OPERATION_JOB,
          { intent: id, ...input },
          {
            runAt: now + config.processorTimeoutMs + RECOVER_GRACE_MS,
            now,
            merchantId: intent.merchantId,
          },
        );
      }
      return { ...intent, operation: input.operation };
    });
  }

  /**
   * Asks the processor, with the operation's id, and records what it answered. Every
   * answer has an end state: done; refused (the claim is released and the caller gets a
   * 4xx naming why); the authorisation gone at the processor (the intent is canceled,
   * `authorization_expired`); or no answer (a 5xx, a timeout: a capture shows
   * `processing` and the recovery job finishes it with the same operation id).
   */
  async function drive(
    intent: IntentRow,
    input: HoldOperationInput,
    from: 'request' | 'recovery',
  ): Promise<IntentRow> {
    const attempt = await store.read((tx) => tx.attempts.get(intent.latestAttemptId ?? ''));
    const processor = await deps.routing.adapter(attempt?.processor ?? intent.processor, intent);
    const reference = attempt?.processorReference;
    // One id per intent and operation: a retried call can never move money twice.
    const operationId = `${intent.id}_${input.operation}`;
    const call = { amount: intent.amount, currency: intent.currency, operationId };
    try {
      if (input.operation === 'capture') {
        if (!reference || !processor?.capture) {
          await release(intent.id, input.operation);
          throw new ApiError(400, 'capture_unsupported', 'This payment cannot be captured.');
        }
        const out = await processor.capture({
          ...call,
          reference,
          amount: input.amount ?? intent.amountCapturable,
        });
        if (out.status === 'failed') {
          await authorizationGone(intent.id, input.operation, out.declineCode);
          throw new ApiError(
            409,
            'authorization_expired',
            'The authorization expired or was released at the processor before this capture: nothing was captured and the PaymentIntent is canceled.',
          );
        }
        if (out.status !== 'succeeded') throw new Error(`capture answered ${out.status}`);
        return await finish(intent.id, input, out.facts?.amountReceived);
      }
      if (reference && processor?.cancel) {
        const { canceled } = await processor.cancel({ ...call, reference });
        if (!canceled) {
          // Too late: captured at the processor (its dashboard, another integration).
          const now = await processor.retrieve({ ...call, reference });
          if (now.status === 'succeeded') {
            await finish(
              intent.id,
              { operation: 'capture' },
              now.facts?.amountReceived,
              input.operation,
            );
            throw new ApiError(
              409,
              'payment_intent_unexpected_state',
              'This payment was already captured at the processor; it is recorded as succeeded. Refund it instead.',
            );
          }
          if (now.status !== 'failed') {
            await release(intent.id, input.operation);
            throw new ApiError(
              409,
              'cancel_failed',
              'The processor could not release this payment.',
            );
          }
        }
      }
      return await finish(intent.id, input);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const refusal = processorRefusal(err);
      if (refusal) {
        await release(intent.id, input.operation);
        throw new ApiError(
          refusal.code === 'idempotency_conflict' ? 409 : 400,
          refusal.processorCode ?? refusal.code,
          `The processor refused the ${input.operation}: ${refusal.message}`,
          refusal.param ? { param: refusal.param } : {},
        );
      }
      // No answer: the money may or may not have moved. The claim stays, and the
      // recovery job asks again with the same operation id until the processor answers.
      deps.logger.warn(
        { err, intent: intent.id, operation: input.operation, from },
        'processor did not answer a hold operation; recovery will finish it',
      );
      if (from === 'recovery') throw err;
      if (input.operation === 'capture') return await showProcessing(intent.id);
      throw new ApiError(
        503,
        'processor_unavailable',
        'The processor did not answer; the cancel is recorded and will be completed shortly. Fetch the PaymentIntent to see it end.',
      );
    }
  }

  /** A capture without an answer: the intent shows `processing` until recovery ends it. */
  async function showProcessing(id: string): Promise<IntentRow> {
    const now = clock.now();
    return store.transaction(async (tx) => {
      const fresh = (await tx.intents.get(id)) as IntentRow;
      if (fresh.operation !== 'capture' || !intentIs.held(fresh.status)) return fresh;
      return moveIntent(
        tx,
        fresh,
        { status: 'processing' },
        { event: 'payment_intent.processing', now, publicUrl, action: 'capture' },
      );
    });
  }

  /** The processor no longer holds the authorisation: the intent ends canceled. */
  async function authorizationGone(id: string, operation: HoldOperation, code: string) {
    const now = clock.now();
    await store.transaction(async (tx) => {
      const fresh = (await tx.intents.get(id)) as IntentRow;
      if (fresh.operation !== operation) return;
      if (fresh.latestAttemptId) {
        await tx.attempts.update(fresh.latestAttemptId, {
          status: 'failed',
          declineCode: code,
          updatedAt: now,
        });
      }
      await moveIntent(
        tx,
        fresh,
        { ...canceledPatch(now, 'authorization_expired'), operation: null },
        { event: 'payment_intent.canceled', now, publicUrl, action: operation },
      );
    });
  }

  async function release(id: string, operation: HoldOperationInput['operation']) {
    await store.transaction((tx) => tx.intents.releaseOperation(id, operation));
  }

  async function finish(
    id: string,
    input: HoldOperationInput,
    /** What the processor says it captured, where it says. */
    captured?: number,
    /** The operation claimed, when it ended another way (a cancel found it captured). */
    claimed: HoldOperation = input.operation,
  ): Promise<IntentRow> {
    const now = clock.now();
    return store.transaction(async (tx) => {
      const fresh = (await tx.intents.get(id)) as IntentRow;
      // Finished already (by the request, or by the recovery job).
      if (fresh.operation !== claimed) return fresh;
      if (input.operation === 'capture') {
        const amount = captured ?? input.amount ?? fresh.amountCapturable;
        if (fresh.latestAttemptId) {
          await tx.attempts.update(fresh.latestAttemptId, { status: 'succeeded', updatedAt: now });
        }
        return moveIntent(
          tx,
          fresh,
          { status: 'succeeded', amountReceived: amount, amountCapturable: 0, operation: null },
          { event: 'payment_intent.succeeded', now, publicUrl, action: 'capture' },
        );
      }
      return moveIntent(
        tx,
        fresh,
        { ...canceledPatch(now, input.reason), operation: null },
        { event: 'payment_intent.canceled', now, publicUrl, action: 'cancel' },
      );
    });
  }

  return {
    /** Claims, calls the processor and records the result; resumes a claimed one. */
    async run(
      id: string,
      input: HoldOperationInput,
      opts: {
        idem?: IdempotencyClaim;
        /** Reads the intent in the claim's transaction, scoped to its owner. */
        load: (tx: StoreRead) => Promise<IntentRow>;
        check?: (intent: IntentRow) => void;
      },
    ): Promise<IntentRow> {
      const intent = await claim(id, input, opts.idem, opts.load, opts.check);
      return drive(intent, input, 'request');
    },

    /**
     * The recovery job: finishes an operation still claimed after its request died or got
     * no answer, asking again (same operation id) for as long as the processor does not
     * answer. Kassa's own answers (refused, authorisation gone) have ended it already.
     */
    async recover(
      payload: { intent: string } & HoldOperationInput,
      job?: JobRow,
    ): Promise<JobResult> {
      const intent = await store.read((tx) => tx.intents.get(payload.intent));
      if (!intent || intent.operation !== payload.operation) return undefined;
      try {
        await drive(intent, payload, 'recovery');
        return undefined;
      } catch (err) {
        if (err instanceof ApiError) return undefined;
        const age = job ? clock.now() - job.createdAt : 0;
        return { retryAt: askAgainAt(clock.now(), age, RECOVER_GRACE_MS) };
      }
    },
  };
}

export type HoldOperations = ReturnType<typeof createHoldOperations>;
