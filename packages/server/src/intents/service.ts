import type {
  CreatePaymentIntentBody,
  ListPaymentIntentsQuery,
  PaymentIntentStatus,
} from '@kassa/protocol';
import { EXPIRY_SECONDS, newId, randomToken } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { recordEvent } from '../events/record.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { IntentRow, MerchantRow, StoreTx } from '../store/types.ts';
import { enqueue } from '../worker/enqueue.ts';
import { releaseHold } from './release-hold.ts';
import { toPaymentIntent } from './serialize.ts';
import { assertTransition, CANCELABLE, unexpectedState } from './status-machine.ts';
import { moveIntent } from './transition.ts';

/** The job that confirms an intent created with `confirm: true`. */
export const CONFIRM_JOB = 'intent.confirm';

export interface Caller {
  merchant: MerchantRow;
  livemode: boolean;
}

/** Loads an intent the caller owns; another merchant's (or mode's) is simply not found. */
export async function ownIntent(tx: StoreTx, caller: Caller, id: string): Promise<IntentRow> {
  const row = await tx.getIntent(id);
  if (!row || row.merchantId !== caller.merchant.id || row.livemode !== caller.livemode) {
    throw notFound('payment_intent', id);
  }
  return row;
}

const orderConflict = (existing: IntentRow) =>
  new ApiError(
    409,
    'order_id_conflict',
    `Order ${existing.orderId} already has PaymentIntent ${existing.id} for ${existing.amount} ${existing.currency} (status ${existing.status}). Cancel it first or use another order_id.`,
    { param: 'order_id' },
  );

export function createIntentService(deps: Deps) {
  const { store, clock, config } = deps;
  const publicUrl = config.publicUrl;
  const capturing = new Set<string>();

  function processorFor(livemode: boolean): string {
    if (livemode) {
      throw new ApiError(
        400,
        'livemode_not_configured',
        'No live processor is configured on this gateway; use your test keys.',
      );
    }
    return 'sandbox';
  }

  return {
    /**
     * Creates an intent, or returns the order's existing one when the same order_id
     * comes again with the same amount and currency (`created: false`).
     */
    async create(caller: Caller, body: CreatePaymentIntentBody) {
      const now = clock.now();
      const processor = processorFor(caller.livemode);
      if (body.confirm && body.payment_method?.type === 'card') {
        throw new ApiError(
          400,
          'card_details_not_allowed',
          'Card details never go through your server: collect them with checkout.js. Server-side confirmation takes UPI.',
          { param: 'payment_method[type]' },
        );
      }
      if (
        body.confirm &&
        !body.payment_method_types.includes(body.payment_method?.type ?? 'card')
      ) {
        throw new ApiError(
          400,
          'payment_method_not_allowed',
          'payment_method[type] must be one of payment_method_types.',
          {
            param: 'payment_method[type]',
          },
        );
      }
      return store.transaction(async (tx) => {
        const existing = await tx.findLiveIntentByOrder(
          caller.merchant.id,
          caller.livemode,
          body.order_id,
        );
        if (existing) {
          if (existing.amount !== body.amount || existing.currency !== body.currency) {
            throw orderConflict(existing);
          }
          return { intent: existing, created: false };
        }
        const id = newId('pi');
        const intent: IntentRow = {
          id,
          merchantId: caller.merchant.id,
          livemode: caller.livemode,
          amount: body.amount,
          currency: body.currency,
          status: 'requires_payment_method',
          orderId: body.order_id,
          description: body.description ?? null,
          customer: body.customer ?? null,
          metadata: body.metadata ?? {},
          captureMethod: body.capture_method,
          paymentMethodTypes: body.payment_method_types,
          clientSecret: `${id}_secret_${randomToken(24)}`,
          returnUrl: body.return_url ?? null,
          processor,
          amountCapturable: 0,
          amountReceived: 0,
          amountRefunded: 0,
          lastPaymentError: null,
          nextAction: null,
          latestAttemptId: null,
          failedAttempts: 0,
          cancellationReason: null,
          canceledAt: null,
          expiresAt: now + (body.expires_in ?? EXPIRY_SECONDS.default) * 1000,
          createdAt: now,
          updatedAt: now,
        };
        await tx.insertIntent(intent);
        await recordEvent(tx, {
          merchantId: intent.merchantId,
          livemode: intent.livemode,
          type: 'payment_intent.created',
          object: toPaymentIntent(intent, publicUrl),
          now,
        });
        if (body.confirm && body.payment_method) {
          // Seed 002: answer at once; the worker asks the processor.
          const processing = await moveIntent(
            tx,
            intent,
            { status: 'processing' },
            {
              event: 'payment_intent.processing',
              now,
              publicUrl,
            },
          );
          await enqueue(
            tx,
            CONFIRM_JOB,
            { intent: intent.id, payment_method: body.payment_method },
            now,
            now,
          );
          return { intent: processing, created: true };
        }
        return { intent, created: true };
      });
    },

    get(caller: Caller, id: string) {
      return store.read((tx) => ownIntent(tx, caller, id));
    },

    /** A page of intents, newest first, with Stripe's cursor semantics. */
    async list(caller: Caller, q: ListPaymentIntentsQuery) {
      return store.read(async (tx) => {
        const cursorId = q.starting_after ?? q.ending_before;
        const cursor = cursorId ? await ownIntent(tx, caller, cursorId).catch(() => null) : null;
        if (cursorId && !cursor) {
          throw new ApiError(400, 'parameter_invalid', `No such payment_intent: '${cursorId}'`, {
            param: q.starting_after ? 'starting_after' : 'ending_before',
          });
        }
        const key = cursor ? { createdAt: cursor.createdAt, id: cursor.id } : undefined;
        const rows = await tx.listIntents({
          merchantId: caller.merchant.id,
          livemode: caller.livemode,
          status: q.status,
          orderId: q.order_id,
          createdGte: q['created[gte]'] === undefined ? undefined : q['created[gte]'] * 1000,
          createdLte: q['created[lte]'] === undefined ? undefined : q['created[lte]'] * 1000 + 999,
          after: q.starting_after ? key : undefined,
          before: q.ending_before ? key : undefined,
          limit: q.limit + 1,
        });
        const hasMore = rows.length > q.limit;
        const page = q.ending_before ? rows.slice(hasMore ? 1 : 0) : rows.slice(0, q.limit);
        return { rows: page, hasMore };
      });
    },

    async cancel(caller: Caller, id: string, reason: string | undefined) {
      const now = clock.now();
      const intent = await store.read((tx) => ownIntent(tx, caller, id));
      if (!CANCELABLE.includes(intent.status))
        assertTransition(intent.status, 'canceled', 'cancel');
      if (intent.status === 'requires_capture') {
        await releaseHold(deps, intent);
      }
      return store.transaction(async (tx) => {
        const fresh = await ownIntent(tx, caller, id);
        if (fresh.latestAttemptId && fresh.status === 'requires_action') {
          await tx.updateAttempt(fresh.latestAttemptId, {
            status: 'failed',
            declineCode: 'canceled',
            failureMessage: 'The payment was canceled.',
            updatedAt: now,
          });
        }
        return moveIntent(
          tx,
          fresh,
          {
            status: 'canceled',
            amountCapturable: 0,
            nextAction: null,
            canceledAt: now,
            cancellationReason: reason ?? 'requested_by_customer',
          },
          { event: 'payment_intent.canceled', now, publicUrl, action: 'cancel' },
        );
      });
    },

    /** Captures a held authorisation, in full or in part. */
    async capture(caller: Caller, id: string, amountToCapture: number | undefined) {
      const intent = await store.read((tx) => ownIntent(tx, caller, id));
      if (intent.status !== 'requires_capture') throw unexpectedState(intent.status, 'capture');
      const amount = amountToCapture ?? intent.amountCapturable;
      if (amount > intent.amountCapturable) {
        throw new ApiError(
          400,
          'amount_too_large',
          `amount_to_capture may be at most the capturable amount, ${intent.amountCapturable}.`,
          { param: 'amount_to_capture' },
        );
      }
      if (capturing.has(id)) {
        throw new ApiError(
          409,
          'capture_in_progress',
          'This PaymentIntent is already being captured.',
        );
      }
      capturing.add(id);
      try {
        const attempt = await store.read((tx) => tx.getAttempt(intent.latestAttemptId ?? ''));
        const processor = deps.processors[attempt?.processor ?? intent.processor];
        if (!attempt?.processorReference || !processor?.capture) {
          throw new ApiError(400, 'capture_unsupported', 'This payment cannot be captured.');
        }
        const out = await processor.capture({
          reference: attempt.processorReference,
          amount,
          currency: intent.currency,
        });
        if (out.status !== 'succeeded') {
          throw new ApiError(402, 'capture_failed', 'The processor refused the capture.', {
            type: 'card_error',
          });
        }
        const now = clock.now();
        return await store.transaction(async (tx) => {
          const fresh = await ownIntent(tx, caller, id);
          await tx.updateAttempt(attempt.id, { status: 'succeeded', updatedAt: now });
          return moveIntent(
            tx,
            fresh,
            { status: 'succeeded', amountReceived: amount, amountCapturable: 0 },
            { event: 'payment_intent.succeeded', now, publicUrl, action: 'capture' },
          );
        });
      } finally {
        capturing.delete(id);
      }
    },
  };
}

export type IntentService = ReturnType<typeof createIntentService>;
export type { PaymentIntentStatus };
