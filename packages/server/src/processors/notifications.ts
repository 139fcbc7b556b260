import { createHash } from 'node:crypto';
import type { Processor, ProcessorNotification } from '@kassa/processors';
import type { Dispute } from '@kassa/protocol';
import { type Context, Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { recordEvent } from '../events/record.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { applyOutcome } from '../intents/outcome.ts';
import { settleRefund } from '../refunds/refunds.ts';
import type { StoreTx } from '../store/types.ts';
import { routingOf } from './routing.ts';

/** One Kassa id per processor dispute, so `dispute.closed` names the dispute `created` did. */
const disputeId = (processor: string, reference: string) =>
  `dp_${createHash('sha256').update(`${processor}:${reference}`).digest('base64url').slice(0, 24)}`;

/** Applies one verified notification inside the transaction that recorded it. */
async function apply(
  deps: Deps,
  tx: StoreTx,
  processorId: string,
  n: Exclude<ProcessorNotification, { kind: 'ignored' }>,
  now: number,
): Promise<boolean> {
  const { logger } = deps;
  if (n.kind === 'refund') {
    const refund = await tx.findRefundByReference(n.refund.reference);
    if (!refund) {
      logger.warn(
        { processor: processorId, reference: n.refund.reference },
        'refund notification for a refund made outside Kassa (or not yet recorded)',
      );
      return false;
    }
    await settleRefund(tx, refund.id, n.refund, now);
    return true;
  }
  const attempt = await tx.findAttemptByReference(processorId, n.reference);
  if (!attempt) {
    logger.warn(
      { processor: processorId, reference: n.reference },
      'notification for an unknown payment',
    );
    return false;
  }
  if (n.kind === 'payment') {
    await applyOutcome(deps, tx, attempt.id, n.outcome, now);
    return true;
  }
  const intent = await tx.getIntent(attempt.intentId);
  if (!intent) return false;
  const dispute: Dispute = {
    id: disputeId(processorId, n.dispute.reference),
    object: 'dispute',
    livemode: intent.livemode,
    payment_intent: intent.id,
    amount: n.dispute.amount,
    currency: n.dispute.currency,
    status: n.dispute.status,
    reason: n.dispute.reason,
    processor: processorId,
    processor_reference: n.dispute.reference,
  };
  await recordEvent(tx, {
    merchantId: intent.merchantId,
    livemode: intent.livemode,
    type: n.dispute.status === 'open' ? 'dispute.created' : 'dispute.closed',
    object: dispute,
    now,
  });
  return true;
}

/**
 * Verifies, stores (deduplicated by the notification's id) and applies one processor
 * notification: a payment's outcome through the one status machine (never backwards), a
 * refund's end, a dispute as `dispute.*` events. The HTTP route and adapters' own pages
 * both come through here. `account` names the merchant's account whose signing secret
 * verifies it, for adapters with per-merchant credentials.
 */
export async function receiveNotification(
  deps: Deps,
  processorId: string,
  headers: Record<string, string>,
  rawBody: string,
  account?: string,
): Promise<{ duplicate: boolean; applied: boolean }> {
  const { store, clock } = deps;
  const adapter = routingOf(deps).get(processorId);
  if (!adapter?.parseNotification) throw notFound('processor', processorId);
  let processor: Processor = adapter;
  if (adapter.capabilities.credentials) {
    const row = account ? await store.read((tx) => tx.getProcessorAccount(account)) : null;
    if (!row || row.processor !== processorId) throw notFound('processor_account', account ?? '');
    const bound = await routingOf(deps).adapter(processorId, row);
    if (!bound) throw notFound('processor_account', row.id);
    processor = bound;
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
  return store.transaction(async (tx) => {
    const fresh = await tx.insertProcessorNotification({
      processor: processorId,
      notificationId: n.id,
      reference: n.reference,
      payload: rawBody,
      receivedAt: now,
    });
    if (!fresh) return { duplicate: true, applied: false };
    return { duplicate: false, applied: await apply(deps, tx, processorId, n, now) };
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
