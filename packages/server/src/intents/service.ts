import type {
  CreatePaymentIntentBody,
  ListPaymentIntentsQuery,
  PaymentIntentStatus,
} from '@kassa/protocol';
import {
  EXPIRY_SECONDS,
  intentIs,
  newId,
  type PaymentMethodData,
  randomToken,
} from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { type Caller, keysetOf } from '../http/caller.ts';
import { bindIdempotency } from '../http/idempotency.ts';
import { paginate, secondsToMs } from '../http/paginate.ts';
import { recordEvent } from '../outbox/record.ts';
import { upiCurrencyError, upiTakes } from '../processors/routing.ts';
import type { IntentRow, StoreRead } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';
import { canceledPatch, type HoldOperations } from './hold-operations.ts';
import { toPaymentIntent } from './serialize.ts';
import { assertTransition, CANCELABLE, unexpectedState } from './status-machine.ts';
import { moveIntent } from './transition.ts';

/** The job that confirms an intent created with `confirm: true` (UPI only: no card data
 * is ever queued). */
export const CONFIRM_JOB = jobKind<{
  intent: string;
  payment_method: Extract<PaymentMethodData, { type: 'upi' }>;
}>('intent.confirm');

export type { Caller } from '../http/caller.ts';

/** Loads an intent the caller owns; another merchant's (or mode's) is simply not found. */
export async function ownIntent(tx: StoreRead, caller: Caller, id: string): Promise<IntentRow> {
  const own = await tx.intents.get(id, caller);
  if (!own) throw notFound('payment_intent', id);
  return own;
}

const orderConflict = (existing: IntentRow) =>
  new ApiError(
    409,
    'order_id_conflict',
    `Order ${existing.orderId} already has PaymentIntent ${existing.id} for ${existing.amount} ${existing.currency} (status ${existing.status}). Cancel it first or use another order_id.`,
    { param: 'order_id' },
  );

export function createIntentService(deps: Deps, holds: HoldOperations) {
  const { store, clock, config, routing } = deps;
  const publicUrl = config.publicUrl;

  return {
    /**
     * Creates an intent, or returns the order's existing one when the same order_id
     * comes again with the same amount and currency (`created: false`).
     */
    async create(caller: Caller, request: CreatePaymentIntentBody) {
      const now = clock.now();
      // Confirmed at once with UPI (seed 002's API): the currency is what is wrong.
      if (request.payment_method?.type === 'upi' && !upiTakes(request.currency)) {
        throw upiCurrencyError(request.currency, 'currency');
      }
      const { processor, methods } = await routing.forNewIntent(
        caller.merchant.id,
        caller.livemode,
        request,
      );
      const body = { ...request, payment_method_types: methods };
      // Server-side confirmation takes UPI only: card details never go through the
      // merchant's server, and a redirect needs the shopper's browser.
      const upi = body.payment_method?.type === 'upi' ? body.payment_method : null;
      if (body.confirm && !upi) {
        throw new ApiError(
          400,
          body.payment_method?.type === 'card' ? 'card_details_not_allowed' : 'parameter_invalid',
          body.payment_method?.type === 'card'
            ? 'Card details never go through your server: collect them with checkout.js. Server-side confirmation takes UPI.'
            : 'Server-side confirmation takes UPI; other methods are confirmed on the payment page.',
          { param: 'payment_method[type]' },
        );
      }
      if (body.confirm && upi?.upi.flow === 'intent') {
        throw new ApiError(
          400,
          'parameter_invalid',
          "Server-side confirmation sends a collect request (flow collect, with vpa); a payment in the shopper's own UPI app starts on the payment page.",
          { param: 'payment_method[upi][flow]' },
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
      const resumed = caller.idem?.objectId;
      if (resumed) {
        // A retry of a request that committed its intent and then died.
        return { intent: await store.read((tx) => ownIntent(tx, caller, resumed)), created: true };
      }
      return store.transaction(async (tx) => {
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
          operation: null,
          cancellationReason: null,
          canceledAt: null,
          expiresAt: now + (body.expires_in ?? EXPIRY_SECONDS.default) * 1000,
          createdAt: now,
          updatedAt: now,
        };
        if (!(await tx.intents.insert(intent))) {
          // The order has a live intent already (the unique index says so, also when
          // another request or process created it a moment ago): answer with it.
          const winner = await tx.intents.liveByOrder(
            caller.merchant.id,
            caller.livemode,
            body.order_id,
          );
          if (!winner)
            throw new Error(`intent for order ${body.order_id} neither inserted nor found`);
          if (winner.amount !== body.amount || winner.currency !== body.currency) {
            throw orderConflict(winner);
          }
          return { intent: winner, created: false };
        }
        await bindIdempotency(tx, caller.idem, id);
        await recordEvent(tx, {
          merchantId: intent.merchantId,
          livemode: intent.livemode,
          type: 'payment_intent.created',
          object: toPaymentIntent(intent, publicUrl),
          now,
        });
        if (body.confirm && upi) {
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
            { intent: intent.id, payment_method: upi },
            { runAt: now, now, merchantId: intent.merchantId },
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
    list(caller: Caller, q: ListPaymentIntentsQuery) {
      return store.read((tx) =>
        paginate(
          q,
          'payment_intent',
          async (id) => keysetOf(await tx.intents.get(id, caller)),
          (window) =>
            tx.intents.list({
              merchantId: caller.merchant.id,
              livemode: caller.livemode,
              status: q.status,
              orderId: q.order_id,
              methodType: q.payment_method_type,
              currency: q.currency,
              amountGte: q['amount[gte]'],
              amountLte: q['amount[lte]'],
              createdGte: secondsToMs(q['created[gte]']),
              createdLte: secondsToMs(q['created[lte]'], 999),
              ...window,
            }),
        ),
      );
    },

    async cancel(caller: Caller, id: string, reason: string | undefined) {
      const intent = await store.read((tx) => ownIntent(tx, caller, id));
      if (intentIs.held(intent.status) || intent.operation) {
        // A held payment is released at the processor first, under a database claim.
        return holds.run(
          id,
          { operation: 'cancel', reason },
          { idem: caller.idem, load: (tx) => ownIntent(tx, caller, id) },
        );
      }
      if (!CANCELABLE.includes(intent.status))
        assertTransition(intent.status, 'canceled', 'cancel');
      const now = clock.now();
      return store.transaction(async (tx) => {
        const fresh = await ownIntent(tx, caller, id);
        if (intentIs.held(fresh.status) || fresh.operation)
          throw unexpectedState(fresh.status, 'cancel');
        if (fresh.latestAttemptId && intentIs.actionNeeded(fresh.status)) {
          await tx.attempts.update(fresh.latestAttemptId, {
            status: 'failed',
            declineCode: 'canceled',
            failureMessage: 'The payment was canceled.',
            updatedAt: now,
          });
        }
        return moveIntent(tx, fresh, canceledPatch(now, reason), {
          event: 'payment_intent.canceled',
          now,
          publicUrl,
          action: 'cancel',
        });
      });
    },

    /** Captures a held authorisation, in full or in part. */
    capture(caller: Caller, id: string, amountToCapture: number | undefined) {
      return holds.run(
        id,
        { operation: 'capture', amount: amountToCapture },
        {
          idem: caller.idem,
          load: (tx) => ownIntent(tx, caller, id),
          check: (intent) => {
            if ((amountToCapture ?? 0) > intent.amountCapturable) {
              throw new ApiError(
                400,
                'amount_too_large',
                `amount_to_capture may be at most the capturable amount, ${intent.amountCapturable}.`,
                { param: 'amount_to_capture' },
              );
            }
            const partial =
              amountToCapture !== undefined && amountToCapture < intent.amountCapturable;
            if (partial && !routing.capabilitiesOf(intent.processor)?.partialCapture) {
              throw new ApiError(
                400,
                'partial_capture_unsupported',
                'This payment can only be captured in full: leave out amount_to_capture.',
                { param: 'amount_to_capture' },
              );
            }
          },
        },
      );
    },
  };
}

export type IntentService = ReturnType<typeof createIntentService>;
export type { PaymentIntentStatus };
