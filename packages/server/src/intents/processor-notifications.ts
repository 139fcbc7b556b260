import { createHash } from 'node:crypto';
import {
  type DisputeReport,
  type Processor,
  type ProcessorNotification,
  type ProcessorOutcome,
  processorRefusal,
  type RefundOutcome,
} from '@kassa/processors';
import type { Dispute } from '@kassa/protocol';
import { type Context, Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { recordEvent } from '../outbox/record.ts';
import { settleRefund } from '../refunds/refunds.ts';
import type { IntentRow, StoreTx } from '../store/types.ts';
import { applyOutcome } from './outcome.ts';

/** One Kassa id per processor dispute, so `dispute.closed` names the dispute `created` did. */
const disputeId = (processor: string, reference: string) =>
  `dp_${createHash('sha256').update(`${processor}:${reference}`).digest('base64url').slice(0, 24)}`;

/** Why a verified notification was refused: a fixed set, so the metric's labels stay few. */
export const REJECTIONS = [
  /** It names a payment, refund or dispute of another merchant's account. */
  'other_account',
  /** Its mode (or its object's) is not the verifying account's: a test secret, a live intent. */
  'other_mode',
  /** Kassa has no such object, or the processor's own record has none for this account. */
  'unknown_object',
  /** The processor's record of it differs from Kassa's (amount, currency, payment). */
  'mismatch',
] as const;
type Rejection = (typeof REJECTIONS)[number];

/** The merchant and mode an inbound notification speaks for: its verifying account's, or
 * (an adapter without accounts: the sandbox, the redirect app) test mode of any merchant. */
type Owner = { merchantId: string; livemode: boolean } | { merchantId: null; livemode: false };

class Refused extends Error {
  constructor(
    readonly reason: Rejection,
    readonly detail: Record<string, unknown>,
  ) {
    super(reason);
  }
}

const owns = (owner: Owner, row: { merchantId: string; livemode: boolean }): Rejection | null =>
  owner.merchantId !== null && row.merchantId !== owner.merchantId
    ? 'other_account'
    : row.livemode !== owner.livemode
      ? 'other_mode'
      : null;

/** What the processor's own record says, asked with the owning account's key. */
type Truth =
  | { kind: 'payment'; attemptId: string; outcome: ProcessorOutcome }
  | { kind: 'refund'; refundId: string; refund: RefundOutcome }
  | { kind: 'dispute'; intent: IntentRow; dispute: DisputeReport };

/** Asks the processor when a call fails for a reason that may pass: the sender tries again. */
async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // The processor has no such object for this account: it is not this account's.
    const refusal = processorRefusal(err);
    if (refusal?.processorCode === 'resource_missing') {
      throw new Refused('unknown_object', { processor_code: refusal.processorCode });
    }
    throw new ApiError(
      503,
      'processor_unavailable',
      'The processor could not be asked about this notification; send it again later.',
    );
  }
}

/**
 * Binds a verified notification to the account that verified it and asks the processor,
 * with that account's key, how the object stands: the notification is only the trigger.
 * Throws `Refused` for what belongs to another account or mode, or does not match.
 */
async function truthOf(
  deps: Deps,
  processor: Processor,
  owner: Owner,
  n: Exclude<ProcessorNotification, { kind: 'ignored' }>,
): Promise<Truth> {
  const { store } = deps;
  if (n.livemode !== undefined && n.livemode !== owner.livemode) {
    throw new Refused('other_mode', { livemode: n.livemode });
  }
  if (n.kind === 'refund') {
    const refund = await store.read(async (tx) => {
      const found = await tx.refunds.byReference(n.refund.reference);
      // The refund's answer was lost before its reference was recorded: the processor
      // keeps Kassa's refund id on it.
      return found ?? (n.operationId ? tx.refunds.get(n.operationId) : null);
    });
    if (!refund) throw new Refused('unknown_object', { refund: n.refund.reference });
    const notOurs = owns(owner, refund);
    if (notOurs) throw new Refused(notOurs, { refund: refund.id });
    const attempt = await store.read(async (tx) => {
      const intent = await tx.intents.get(refund.intentId);
      return intent?.latestAttemptId ? tx.attempts.get(intent.latestAttemptId) : null;
    });
    if (!attempt || attempt.processor !== processor.id || !attempt.processorReference) {
      throw new Refused('unknown_object', { refund: refund.id });
    }
    if (refund.processorReference && refund.processorReference !== n.refund.reference) {
      throw new Refused('mismatch', { refund: refund.id, field: 'reference' });
    }
    if (!processor.retrieveRefund) {
      return { kind: 'refund', refundId: refund.id, refund: n.refund };
    }
    const payment = attempt.processorReference;
    const record = await ask(() =>
      (processor.retrieveRefund as NonNullable<Processor['retrieveRefund']>)({
        reference: n.refund.reference,
        payment,
        operationId: refund.id,
      }),
    );
    if (!record) throw new Refused('unknown_object', { refund: refund.id });
    const field =
      record.payment !== payment
        ? 'payment'
        : record.amount !== refund.amount
          ? 'amount'
          : record.currency.toUpperCase() !== refund.currency.toUpperCase()
            ? 'currency'
            : record.livemode !== undefined && record.livemode !== refund.livemode
              ? 'livemode'
              : null;
    if (field) throw new Refused('mismatch', { refund: refund.id, field });
    return { kind: 'refund', refundId: refund.id, refund: record };
  }
  const found = await store.read(async (tx) => {
    const attempt = await tx.attempts.byReference(processor.id, n.reference);
    const intent = attempt ? await tx.intents.get(attempt.intentId) : null;
    return attempt && intent ? { attempt, intent } : null;
  });
  if (!found) throw new Refused('unknown_object', { reference: n.reference });
  const { attempt, intent } = found;
  const notOurs = owns(owner, intent);
  if (notOurs) throw new Refused(notOurs, { intent: intent.id });
  if (n.kind === 'payment') {
    const outcome = await ask(() =>
      processor.retrieve({
        reference: n.reference,
        amount: intent.amount,
        currency: intent.currency,
      }),
    );
    return { kind: 'payment', attemptId: attempt.id, outcome };
  }
  const dispute = processor.retrieveDispute
    ? await ask(() =>
        (processor.retrieveDispute as NonNullable<Processor['retrieveDispute']>)({
          reference: n.dispute.reference,
        }),
      )
    : n.dispute;
  const disputed = intent.amountReceived > 0 ? intent.amountReceived : intent.amount;
  const field =
    dispute.payment !== undefined && dispute.payment !== n.reference
      ? 'payment'
      : dispute.currency.toUpperCase() !== intent.currency.toUpperCase()
        ? 'currency'
        : dispute.amount > disputed || dispute.amount <= 0
          ? 'amount'
          : dispute.livemode !== undefined && dispute.livemode !== intent.livemode
            ? 'livemode'
            : null;
  if (field) throw new Refused('mismatch', { intent: intent.id, field });
  return { kind: 'dispute', intent, dispute };
}

/** Applies the processor's record inside the transaction that recorded the notification. */
async function apply(
  deps: Deps,
  tx: StoreTx,
  processorId: string,
  truth: Truth,
  now: number,
): Promise<boolean> {
  if (truth.kind === 'refund') {
    await settleRefund(deps, tx, truth.refundId, truth.refund, now);
    return true;
  }
  if (truth.kind === 'payment') {
    await applyOutcome(deps, tx, truth.attemptId, truth.outcome, now);
    return true;
  }
  const { intent, dispute: report } = truth;
  const dispute: Dispute = {
    id: disputeId(processorId, report.reference),
    object: 'dispute',
    livemode: intent.livemode,
    payment_intent: intent.id,
    amount: report.amount,
    currency: report.currency,
    status: report.status,
    reason: report.reason,
    processor: processorId,
    processor_reference: report.reference,
  };
  const event = (type: 'dispute.created' | 'dispute.closed') =>
    recordEvent(tx, {
      merchantId: intent.merchantId,
      livemode: intent.livemode,
      type,
      object: dispute,
      now,
    });
  // Ordered by the dispute's own state, each event once: a late `created` after the
  // close, or a second one for an update, changes nothing, and a closed dispute never
  // reopens.
  let applied = false;
  if (await tx.settings.claim(`dispute:${dispute.id}:created`, String(now))) {
    await event('dispute.created');
    applied = true;
  }
  if (
    report.status !== 'open' &&
    (await tx.settings.claim(`dispute:${dispute.id}:closed`, String(now)))
  ) {
    await event('dispute.closed');
    applied = true;
  }
  return applied;
}

/**
 * Verifies, binds, checks and applies one processor notification. It is a trigger, not a
 * fact: it is applied only to objects of the account whose secret verified it (its
 * merchant and mode), and what is applied is the processor's own record, asked with that
 * account's key — a payment's outcome through the one status machine (never backwards),
 * a refund's end, a dispute as `dispute.*` events. Anything else is refused with a 2xx
 * (the processor stops sending it), logged and counted. The HTTP route and adapters' own
 * pages both come through here. `account` names the merchant's account whose signing
 * secret verifies it, for adapters with per-merchant credentials.
 */
export async function receiveNotification(
  deps: Deps,
  processorId: string,
  headers: Record<string, string>,
  rawBody: string,
  account?: string,
): Promise<{ duplicate: boolean; applied: boolean }> {
  const { store, clock } = deps;
  const adapter = deps.routing.get(processorId);
  if (!adapter?.parseNotification) throw notFound('processor', processorId);
  let processor: Processor = adapter;
  let owner: Owner = { merchantId: null, livemode: false };
  if (adapter.capabilities.credentials) {
    const row = account ? await store.read((tx) => tx.accounts.get(account)) : null;
    if (!row || row.processor !== processorId) throw notFound('processor_account', account ?? '');
    const bound = await deps.routing.adapter(processorId, row);
    if (!bound) throw notFound('processor_account', row.id);
    processor = bound;
    owner = { merchantId: row.merchantId, livemode: row.livemode };
  }
  const now = clock.now();
  let notification: ProcessorNotification;
  try {
    notification = await (
      processor.parseNotification as NonNullable<Processor['parseNotification']>
    )({
      headers,
      rawBody,
      now,
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'invalid_notification';
    throw new ApiError(
      400,
      code,
      (err as Error).message || 'The notification could not be verified.',
    );
  }
  if (notification.kind === 'ignored') return { duplicate: false, applied: false };
  const n = notification;
  // Deduplicated per account: one account's event ids never shadow another's.
  const notificationId = account ? `${account}:${n.id}` : n.id;
  let truth: Truth;
  try {
    truth = await truthOf(deps, processor, owner, n);
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    deps.logger.warn(
      {
        processor: processorId,
        account: account ?? null,
        notification: n.id,
        kind: n.kind,
        reason: err.reason,
        ...err.detail,
      },
      'processor notification refused: nothing applied',
    );
    deps.metrics?.processorEventRejected(processorId, err.reason);
    return { duplicate: false, applied: false };
  }
  return store.transaction(async (tx) => {
    const fresh = await tx.notifications.record({
      processor: processorId,
      notificationId,
      reference: n.reference,
      payload: rawBody,
      receivedAt: now,
    });
    if (!fresh) return { duplicate: true, applied: false };
    return { duplicate: false, applied: await apply(deps, tx, processorId, truth, now) };
  });
}

/** `POST /v1/processor_webhooks/:processor[/:account]`. */
export function processorNotificationRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const receive = async (c: Context<AppEnv>, account?: string) => {
    const headers = Object.fromEntries(c.req.raw.headers);
    const processor = c.req.param('processor') ?? '';
    const result = await receiveNotification(deps, processor, headers, await c.req.text(), account);
    return c.json({ received: true, ...result });
  };
  app.post('/:processor', (c) => receive(c));
  app.post('/:processor/:account', (c) => receive(c, c.req.param('account')));
  return app;
}

/** Where a merchant's processor sends its webhooks for one account. */
export const processorWebhookUrl = (publicUrl: string, processor: string, accountId: string) =>
  `${publicUrl}/v1/processor_webhooks/${processor}/${accountId}`;
