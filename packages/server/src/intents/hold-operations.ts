import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { bindIdempotency, type IdempotencyClaim } from '../http/idempotency.ts';
import { routingOf } from '../processors/routing.ts';
import type { IntentRow, StoreRead } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';
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
      if (intent.status !== 'requires_capture') {
        throw unexpectedState(intent.status, input.operation);
      }
      if (intent.operation && intent.operation !== input.operation) throw busy(intent.operation);
      // The same operation is resumed only by a retry of the request that claimed it.
      if (intent.operation === input.operation && idem?.objectId !== id) {
        throw busy(intent.operation);
      }
      check(intent);
      if (!(await tx.claimIntentOperation(id, input.operation, 'requires_capture', now))) {
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

  /** Asks the processor, with the operation's id, and records what it answered. */
  async function drive(intent: IntentRow, input: HoldOperationInput): Promise<IntentRow> {
    const attempt = await store.read((tx) => tx.getAttempt(intent.latestAttemptId ?? ''));
    const processor = await routingOf(deps).adapter(attempt?.processor ?? intent.processor, intent);
    const reference = attempt?.processorReference;
    // One id per intent and operation: a retried call can never move money twice.
    const operationId = `${intent.id}_${input.operation}`;
    let ok = true;
    if (input.operation === 'capture') {
      if (!reference || !processor?.capture) {
        await release(intent.id, input.operation);
        throw new ApiError(400, 'capture_unsupported', 'This payment cannot be captured.');
      }
      const out = await processor.capture({
        reference,
        amount: input.amount ?? intent.amountCapturable,
        currency: intent.currency,
        operationId,
      });
      ok = out.status === 'succeeded';
    } else if (reference && processor?.cancel) {
      ok = (
        await processor.cancel({
          reference,
          amount: intent.amount,
          currency: intent.currency,
          operationId,
        })
      ).canceled;
    }
    if (!ok) {
      await release(intent.id, input.operation);
      throw input.operation === 'capture'
        ? new ApiError(402, 'capture_failed', 'The processor refused the capture.', {
            type: 'card_error',
          })
        : new ApiError(409, 'cancel_failed', 'The processor could not release this payment.');
    }
    return finish(intent.id, input);
  }

  async function release(id: string, operation: HoldOperationInput['operation']) {
    await store.transaction((tx) => tx.releaseIntentOperation(id, operation));
  }

  async function finish(id: string, input: HoldOperationInput): Promise<IntentRow> {
    const now = clock.now();
    return store.transaction(async (tx) => {
      const fresh = (await tx.getIntent(id)) as IntentRow;
      // Finished already (by the request, or by the recovery job).
      if (fresh.operation !== input.operation) return fresh;
      if (input.operation === 'capture') {
        const amount = input.amount ?? fresh.amountCapturable;
        if (fresh.latestAttemptId) {
          await tx.updateAttempt(fresh.latestAttemptId, { status: 'succeeded', updatedAt: now });
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
      return drive(intent, input);
    },

    /** The recovery job: finishes an operation still claimed after its request died. */
    async recover(payload: { intent: string } & HoldOperationInput): Promise<void> {
      const intent = await store.read((tx) => tx.getIntent(payload.intent));
      if (!intent || intent.operation !== payload.operation) return;
      await drive(intent, payload).catch((err) => {
        // Refused by the processor: released above. Anything else is retried by the worker.
        if ((err as { status?: number }).status === undefined) throw err;
      });
    },
  };
}

export type HoldOperations = ReturnType<typeof createHoldOperations>;
