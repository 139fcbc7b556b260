import {
  collectorOf,
  type Processor,
  type ProcessorOutcome,
  processorRefusal,
} from '@kassa/processors';
import {
  type ConfirmPaymentIntentBody,
  intentIs,
  newId,
  type PaymentMethodData,
  type PaymentMethodType,
} from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { bindIdempotency, type IdempotencyClaim } from '../http/idempotency.ts';
import { withoutValues } from '../logger.ts';
import { safeEqual } from '../merchants/keys.ts';
import type { AttemptRow, IntentRow, MerchantRow, StoreTx } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';
import { type CardSummary, summariseCard } from './card.ts';
import type { Lifecycle } from './lifecycle.ts';
import { applyOutcome } from './outcome.ts';
import { CONFIRMABLE, unexpectedState } from './status-machine.ts';
import { CLOSE_SESSION_JOB, expireOpenIntent, leaveAttempt, moveIntent } from './transition.ts';

/**
 * Where the shopper goes after a redirect: what the merchant's server set wins; the
 * browser may only name one when the merchant did not, and only on the merchant's own
 * allowed origins — never an attacker's page.
 */
async function shopperReturnUrl(tx: StoreTx, intent: IntentRow, asked: string | undefined) {
  if (intent.returnUrl || asked === undefined) return intent.returnUrl;
  const merchant = await tx.merchants.get(intent.merchantId);
  if (!merchant?.allowedOrigins.includes(new URL(asked).origin)) {
    throw new ApiError(
      400,
      'return_url_not_allowed',
      "return_url must be on one of the shop's allowed origins.",
      { param: 'return_url' },
    );
  }
  return asked;
}

/** Settles an attempt whose processor call was cut off (a crash, a timeout). No longer
 * queued (the in-flight sweep finds such attempts, lifecycle.ts); still run for jobs an
 * earlier version queued. */
export const RECOVER_ATTEMPT_JOB = jobKind<{ attempt: string }>('attempt.recover');

/** The shopper as the merchant described them, for a processor that needs them (the
 * customer's own id stays with Kassa). */
const shopperOf = (c: NonNullable<IntentRow['customer']>) => ({
  ...(c.email && { email: c.email }),
  ...(c.phone && { phone: c.phone }),
  ...(c.name && { name: c.name }),
});

const expiredError = () =>
  new ApiError(
    409,
    'payment_intent_expired',
    'This payment has expired. Ask the shop to start again.',
  );

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`processor did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createConfirmService(deps: Deps, lifecycle: Lifecycle) {
  const { store, clock, config, logger, routing } = deps;
  const publicUrl = config.publicUrl;

  /**
   * Loads an intent for a shopper. The client secret must match; when a publishable key
   * was sent, its merchant and mode must match too.
   */
  async function clientIntent(
    key: { merchant: MerchantRow; livemode: boolean } | null,
    id: string,
    secret: string,
  ) {
    const intent = await store.read((tx) => tx.intents.get(id));
    if (
      !intent ||
      !safeEqual(intent.clientSecret, secret) ||
      (key && (intent.merchantId !== key.merchant.id || intent.livemode !== key.livemode))
    ) {
      // One answer for "no such intent" and "wrong secret": a secret opens only its own intent.
      throw notFound('payment_intent', id);
    }
    return intent;
  }

  /** Expires an open intent found past its expiry; returns the expired row or null. */
  async function expireIfDue(intent: IntentRow): Promise<IntentRow | null> {
    const now = clock.now();
    if (intent.expiresAt > now || !CONFIRMABLE.includes(intent.status)) return null;
    return store.transaction((tx) => expireOpenIntent(tx, intent.id, { now, publicUrl }));
  }

  /**
   * Whether a shopper may start a payment on this intent now, inside the transaction that
   * records it: open (or confirmed on creation and waiting for its first attempt), not
   * already paying, and this client still has attempts left. Per client as well as per
   * intent: another client (someone holding the publishable key and the order id) cannot
   * use up the shopper's attempts.
   */
  async function readPayable(tx: StoreTx, id: string, clientKey: string | undefined) {
    // Both at once: on PostgreSQL one round trip (the intent with its row lock).
    const [fresh, failures] = await Promise.all([
      tx.intents.get(id) as Promise<IntentRow>,
      clientKey ? tx.attempts.countFailed(id, clientKey) : 0,
    ]);
    return { fresh, failures };
  }

  function assertPayable(fresh: IntentRow, failures: number, queued = false) {
    if (!queued && !CONFIRMABLE.includes(fresh.status)) {
      throw intentIs.processing(fresh.status)
        ? new ApiError(
            409,
            'payment_in_progress',
            'A payment for this order is already in progress.',
          )
        : unexpectedState(fresh.status, 'confirm');
    }
    if (failures >= config.maxAttemptsPerClient) {
      throw new ApiError(
        429,
        'too_many_attempts',
        'Too many declined attempts from this device. Use another payment method or contact the shop.',
        { type: 'rate_limit_error' },
      );
    }
  }

  /** Asks the processor about an attempt (by its id, so a repeat is the same payment)
   * and applies the answer. */
  async function authorizeAndApply(
    intent: IntentRow,
    attempt: AttemptRow,
    method: PaymentMethodData,
    opts: { queued?: boolean },
  ) {
    const processor = await routing.adapter(attempt.processor, intent);
    let outcome: ProcessorOutcome;
    let refusal: ReturnType<typeof processorRefusal> = null;
    try {
      if (!processor?.authorize) throw new Error(`no processor ${attempt.processor}`);
      // A UPI app shows whom the shopper pays: the merchant (read for UPI only).
      const payee =
        method.type === 'upi'
          ? (await store.read((tx) => tx.merchants.get(intent.merchantId)))?.name
          : undefined;
      outcome = await withTimeout(
        processor.authorize({
          attemptId: attempt.id,
          intentId: intent.id,
          amount: intent.amount,
          currency: intent.currency,
          captureMethod: intent.captureMethod,
          paymentMethod: method,
          cardBrand: attempt.cardBrand ?? undefined,
          merchantId: intent.merchantId,
          ...(payee && { payee }),
          ...(intent.customer && { customer: shopperOf(intent.customer) }),
        }),
        config.processorTimeoutMs,
      );
    } catch (err) {
      const card = method.type === 'card' ? method.card : null;
      const secrets = card ? [card.number, card.number.replace(/\D/g, ''), card.cvc] : [];
      refusal = processorRefusal(err);
      logger[refusal ? 'warn' : 'error'](
        { err: withoutValues(err, secrets), attempt: attempt.id },
        'processor authorize failed',
      );
      outcome = {
        status: 'failed',
        reference: null,
        declineCode: refusal
          ? (refusal.processorCode ?? 'processor_refused').replace(/[^a-z_]/g, '_')
          : 'processing_error',
        message: refusal
          ? (withoutValues(refusal, secrets) as Error).message
          : 'We could not reach the payment processor. Please try again.',
      };
    }
    const row = await store.transaction((tx) =>
      applyOutcome(deps, tx, attempt.id, outcome, clock.now(), {
        processingAnnounced: opts.queued,
        intentId: intent.id,
      }),
    );
    if (refusal) {
      // The processor turned the request down (a field it needs, a currency it does not
      // take): nothing was charged, and the same request cannot succeed; say what to fix.
      throw new ApiError(
        400,
        refusal.code === 'credentials_invalid' ? 'processor_account_invalid' : 'processor_refused',
        refusal.code === 'credentials_invalid'
          ? "This payment cannot be taken: the merchant's processor account refused its keys. Nothing was charged."
          : `This payment cannot be taken by the payment processor: ${outcome.status === 'failed' ? outcome.message : ''} Nothing was charged.`,
        { ...(refusal.param && { param: refusal.param }), type: 'invalid_request_error' },
      );
    }
    return row;
  }

  return {
    clientIntent,
    expireIfDue,

    /**
     * A shopper's payment: checks the card, records a pending attempt, asks the
     * processor, then applies its answer. The card number and CVC live only in this
     * call's memory; the attempt keeps brand, last 4, expiry and a keyed fingerprint.
     */
    async confirm(
      intent: IntentRow,
      body: Pick<ConfirmPaymentIntentBody, 'payment_method' | 'return_url'>,
      opts: { queued?: boolean; idem?: IdempotencyClaim; clientKey?: string } = {},
    ) {
      const method = body.payment_method;
      const resumed = opts.idem?.objectId
        ? await store.read((tx) => tx.attempts.get(opts.idem?.objectId as string))
        : null;
      if (resumed && resumed.intentId === intent.id) {
        // A retry of a confirm that recorded its attempt and then died: the same attempt
        // is asked again (the processor knows it by its id), never a new one.
        if (resumed.status !== 'pending') {
          const row = (await store.read((tx) => tx.intents.get(intent.id))) as IntentRow;
          return { row, clientFailures: null };
        }
        return {
          row: await authorizeAndApply(intent, resumed, method, opts),
          clientFailures: null,
        };
      }
      if (await expireIfDue(intent)) throw expiredError();
      if (!intent.paymentMethodTypes.includes(method.type)) {
        throw new ApiError(
          400,
          'payment_method_not_allowed',
          `This payment does not accept ${method.type}; it accepts ${intent.paymentMethodTypes.join(', ')}.`,
          { param: 'payment_method[type]' },
        );
      }
      // Each method goes to the adapter that takes it for this merchant and mode.
      const route = await routing.forMethod(intent.merchantId, intent.livemode, method.type);
      if (collectorOf(route.processor.capabilities, method.type) === 'processor') {
        throw new ApiError(
          400,
          'payment_method_collected_by_processor',
          `${method.type} payments here are entered in ${route.id}'s own fields on the payment page, never sent to Kassa; open a processor session instead.`,
          { param: 'payment_method[type]' },
        );
      }
      const processorId = route.id;
      const now = clock.now();
      const card: CardSummary | null =
        method.type === 'card' ? summariseCard(method.card, now, config.fingerprintSecret) : null;

      const attempt: AttemptRow = {
        id: newId('pa'),
        intentId: intent.id,
        merchantId: intent.merchantId,
        status: 'pending',
        methodType: method.type,
        cardBrand: card?.brand ?? null,
        cardLast4: card?.last4 ?? null,
        cardExpMonth: card?.expMonth ?? null,
        cardExpYear: card?.expYear ?? null,
        cardFingerprint: card?.fingerprint ?? null,
        upiVpa: method.type === 'upi' ? (method.upi.vpa ?? null) : null,
        clientKey: opts.clientKey ?? null,
        processor: processorId,
        processorReference: null,
        declineCode: null,
        failureMessage: null,
        createdAt: now,
        updatedAt: now,
      };

      const failuresBefore = await store.transaction(async (tx) => {
        const { fresh, failures } = await readPayable(tx, intent.id, opts.clientKey);
        // Confirmed on creation (server to server): processing, waiting for its first attempt.
        const queued = opts.queued && fresh.status === 'processing' && !fresh.latestAttemptId;
        assertPayable(fresh, failures, queued);
        if (fresh.latestAttemptId) {
          // A payment left open in a processor's fields, or at 3-D Secure, is withdrawn.
          await leaveAttempt(
            tx,
            fresh.latestAttemptId,
            now,
            'The shopper chose another payment method.',
          );
        }
        await tx.attempts.insert(attempt);
        await bindIdempotency(tx, opts.idem, attempt.id);
        await moveIntent(
          tx,
          fresh,
          {
            status: 'processing',
            latestAttemptId: attempt.id,
            // The adapter that serves this attempt serves the intent from now on.
            processor: processorId,
            nextAction: null,
            returnUrl: await shopperReturnUrl(tx, fresh, body.return_url),
          },
          { event: null, now, publicUrl, action: 'confirm' },
        );
        // If this process dies before the processor answers, the pending attempt itself
        // is the record: the worker's in-flight sweep settles it (lifecycle.recoverStale).
        return failures;
      });

      const row = await authorizeAndApply(intent, attempt, method, opts);
      // This client's declines now: those before, and this attempt if it was declined
      // (the intent was held by this payment meanwhile, so no other attempt counted).
      const declined = row.lastPaymentError?.payment_attempt === attempt.id;
      return { row, clientFailures: failuresBefore + (declined ? 1 : 0) };
    },

    /**
     * Opens the payment that the processor's own fields on the page complete (Stripe's
     * Payment Element): an attempt is recorded, the processor opens its payment with the
     * attempt id as idempotency key, and the page gets what it needs to mount the fields.
     * The card goes from those fields to the processor; Kassa never sees it. Opening again
     * while that payment is unpaid reopens the same one; if it was paid meanwhile (the
     * page closed mid-payment), its outcome is recorded and no session is handed out.
     */
    async openSession(
      intent: IntentRow,
      methodType: PaymentMethodType,
      opts: { clientKey?: string } = {},
    ) {
      if (await expireIfDue(intent)) throw expiredError();
      if (!intent.paymentMethodTypes.includes(methodType)) {
        throw new ApiError(
          400,
          'payment_method_not_allowed',
          `This payment does not accept ${methodType}; it accepts ${intent.paymentMethodTypes.join(', ')}.`,
          { param: 'payment_method_type' },
        );
      }
      const route = await routing.forMethod(intent.merchantId, intent.livemode, methodType);
      if (collectorOf(route.processor.capabilities, methodType) !== 'processor') {
        throw new ApiError(
          400,
          'processor_session_unavailable',
          `${methodType} payments here use Kassa's own form; confirm with payment_method instead.`,
          { param: 'payment_method_type' },
        );
      }
      const now = clock.now();
      const { attempt, reused } = await store.transaction(async (tx) => {
        const { fresh, failures } = await readPayable(tx, intent.id, opts.clientKey);
        assertPayable(fresh, failures);
        const latest = fresh.latestAttemptId ? await tx.attempts.get(fresh.latestAttemptId) : null;
        if (
          latest?.status === 'pending' &&
          latest.processor === route.id &&
          latest.methodType === methodType &&
          latest.processorReference
        ) {
          return { attempt: latest, reused: true };
        }
        if (latest) await leaveAttempt(tx, latest.id, now, 'The shopper started again.');
        const row: AttemptRow = {
          id: newId('pa'),
          intentId: fresh.id,
          merchantId: fresh.merchantId,
          status: 'pending',
          methodType,
          cardBrand: null,
          cardLast4: null,
          cardExpMonth: null,
          cardExpYear: null,
          cardFingerprint: null,
          upiVpa: null,
          clientKey: opts.clientKey ?? null,
          processor: route.id,
          processorReference: null,
          declineCode: null,
          failureMessage: null,
          createdAt: now,
          updatedAt: now,
        };
        await tx.attempts.insert(row);
        await moveIntent(
          tx,
          fresh,
          {
            status: 'requires_payment_method',
            latestAttemptId: row.id,
            processor: route.id,
            nextAction: null,
          },
          { event: null, now, publicUrl, action: 'pay' },
        );
        return { attempt: row, reused: false };
      });

      const adapter = await routing.adapter(route.id, intent);
      let session: Awaited<ReturnType<NonNullable<Processor['openSession']>>>;
      try {
        if (!adapter?.openSession) throw new Error(`no processor ${route.id}`);
        session = await withTimeout(
          adapter.openSession({
            attemptId: attempt.id,
            intentId: intent.id,
            merchantId: intent.merchantId,
            amount: intent.amount,
            currency: intent.currency,
            captureMethod: intent.captureMethod,
            paymentMethodType: methodType,
            returnUrl: `${publicUrl}/pay/${intent.id}`,
            ...(intent.customer && { customer: shopperOf(intent.customer) }),
          }),
          config.processorTimeoutMs,
        );
      } catch (err) {
        const refusal = processorRefusal(err);
        logger[refusal ? 'warn' : 'error'](
          { err, attempt: attempt.id },
          'processor session could not be opened',
        );
        if (!reused) {
          await store.transaction(async (tx) => {
            await tx.attempts.update(attempt.id, {
              status: 'failed',
              declineCode: refusal ? (refusal.processorCode ?? refusal.code) : 'processing_error',
              failureMessage: refusal
                ? refusal.message
                : 'The payment processor could not be reached.',
              updatedAt: clock.now(),
            });
            // Given up without an answer: the processor may have opened it after all.
            if (!refusal) {
              await enqueue(
                tx,
                CLOSE_SESSION_JOB,
                { attempt: attempt.id, withdraw: 'given_up' },
                { runAt: clock.now() + 5_000, now: clock.now(), merchantId: intent.merchantId },
              );
            }
          });
        }
        if (refusal) {
          // The processor turned it down (an amount under its minimum, a currency the
          // account does not take): trying again cannot help, so say why.
          throw new ApiError(
            400,
            refusal.code === 'credentials_invalid'
              ? 'processor_account_invalid'
              : 'processor_refused',
            refusal.code === 'credentials_invalid'
              ? "This payment cannot be taken: the merchant's processor account refused its keys. Nothing was charged."
              : `This payment cannot be taken by the payment processor: ${refusal.message} Nothing was charged.`,
            { ...(refusal.param && { param: refusal.param }), type: 'invalid_request_error' },
          );
        }
        throw new ApiError(
          502,
          'processor_unavailable',
          'We could not reach the payment processor. Nothing was charged; please try again.',
          { type: 'api_error' },
        );
      }
      if (reused) {
        // The page may have closed after paying: ask the processor before handing it out again.
        const outcome = await adapter.retrieve({
          reference: session.reference,
          amount: intent.amount,
          currency: intent.currency,
        });
        if (outcome.status !== 'pending') {
          const row = await store.transaction((tx) =>
            applyOutcome(deps, tx, attempt.id, outcome, clock.now()),
          );
          return { intent: row, session: null };
        }
      } else {
        await store.transaction(async (tx) => {
          const fresh = await tx.attempts.get(attempt.id);
          if (fresh?.status === 'pending') {
            await tx.attempts.update(attempt.id, {
              processorReference: session.reference,
              updatedAt: clock.now(),
            });
          }
        });
      }
      const row = (await store.read((tx) => tx.intents.get(intent.id))) as IntentRow;
      return {
        intent: row,
        session: { attempt: attempt.id, processor: route.id, ...session.page },
      };
    },

    /**
     * The page says the shopper finished in the processor's fields. The browser is not
     * believed: the gateway asks the processor how the payment stands and records that.
     */
    async completeSession(intent: IntentRow, result?: Readonly<Record<string, string>>) {
      const attempt = intent.latestAttemptId
        ? await store.read((tx) => tx.attempts.get(intent.latestAttemptId as string))
        : null;
      const adapter = attempt ? await routing.adapter(attempt.processor, intent) : undefined;
      if (
        !attempt?.processorReference ||
        !adapter ||
        collectorOf(adapter.capabilities, attempt.methodType) !== 'processor'
      ) {
        throw new ApiError(
          409,
          'processor_session_missing',
          'This payment has no open processor session; open one first.',
        );
      }
      // What the processor's fields handed the page (Razorpay's signed payment id): a
      // forgery is refused here; a genuine one still proves nothing until the processor says.
      if (
        result &&
        adapter.verifySessionResult &&
        !adapter.verifySessionResult({ reference: attempt.processorReference, result })
      ) {
        logger.warn({ attempt: attempt.id }, 'a processor session result did not verify');
        throw new ApiError(
          400,
          'processor_result_invalid',
          "The payment result does not carry the processor's signature for this payment.",
          { param: 'processor_result' },
        );
      }
      let outcome: ProcessorOutcome;
      try {
        outcome = await withTimeout(
          adapter.retrieve({
            reference: attempt.processorReference,
            amount: intent.amount,
            currency: intent.currency,
          }),
          config.processorTimeoutMs,
        );
      } catch (err) {
        logger.error({ err, attempt: attempt.id }, 'processor retrieve failed');
        throw new ApiError(
          502,
          'processor_unavailable',
          'We could not reach the payment processor. Your payment is safe; please try again.',
          { type: 'api_error' },
        );
      }
      return store.transaction((tx) => applyOutcome(deps, tx, attempt.id, outcome, clock.now()));
    },

    /**
     * The shopper leaves the payment under way — 3-D Secure, a UPI request, a bank page —
     * to choose again: the attempt is given up (not counted as a decline), withdrawn at
     * the processor, and the intent is open again. If the processor says it was already
     * paid, that is recorded instead and the intent shows it. Leaving twice is harmless.
     */
    async leave(intent: IntentRow) {
      const now = clock.now();
      const left = await store.transaction(async (tx) => {
        const fresh = (await tx.intents.get(intent.id)) as IntentRow;
        if (intentIs.awaitingMethod(fresh.status)) return { intent: fresh, attempt: null };
        if (!intentIs.waiting(fresh.status)) {
          throw unexpectedState(fresh.status, 'leave the payment of');
        }
        const attempt = fresh.latestAttemptId;
        if (
          !attempt ||
          !(await leaveAttempt(tx, attempt, now, 'The shopper left to choose again.'))
        ) {
          // The processor is being asked right now (a confirm in flight): wait for it.
          throw new ApiError(
            409,
            'payment_in_progress',
            'The payment is being sent to the processor. Wait a moment, then try again.',
          );
        }
        const next = await moveIntent(
          tx,
          fresh,
          { status: 'requires_payment_method', nextAction: null, lastPaymentError: null },
          { event: null, now, publicUrl, action: 'leave the payment of' },
        );
        return { intent: next, attempt };
      });
      if (!left.attempt) return left.intent;
      // Withdraw it now, so the answer says whether it was paid after all; the queued job
      // does the same (idempotently) if this process dies first.
      try {
        await withTimeout(lifecycle.closeSession(left.attempt), config.processorTimeoutMs);
      } catch (err) {
        logger.warn(
          { err, attempt: left.attempt },
          'could not withdraw the attempt yet; the worker will',
        );
      }
      return (await store.read((tx) => tx.intents.get(intent.id))) as IntentRow;
    },

    /** A shopper finished a processor page (3-D Secure): continue and apply the result. */
    async completeAction(processorId: string, reference: string, result: string) {
      const found = await store.read(async (tx) => {
        const attempt = await tx.attempts.byReference(processorId, reference);
        const intent = attempt ? await tx.intents.get(attempt.intentId) : null;
        return attempt && intent ? { attempt, intent } : null;
      });
      const processor = found ? await routing.adapter(processorId, found.intent) : undefined;
      if (!found || !processor?.continueAfterAction) return { returnUrl: null };
      const { attempt, intent } = found;
      if (attempt.status === 'requires_action') {
        const outcome = await processor.continueAfterAction({
          reference,
          amount: intent.amount,
          currency: intent.currency,
          result,
        });
        await store.transaction((tx) => applyOutcome(deps, tx, attempt.id, outcome, clock.now()));
      }
      return { returnUrl: intent.returnUrl };
    },
  };
}

export type ConfirmService = ReturnType<typeof createConfirmService>;
