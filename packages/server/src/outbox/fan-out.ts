import { matchesEventPatterns, newId } from '@kassa/protocol';
import type { EventRow, StoreTx, WebhookEndpointRow } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';

export const DELIVER_JOB = jobKind<{ delivery: string }>('webhook.deliver');

/** Queues one delivery of `event` to `endpoint`, due now. */
export async function queueDelivery(
  tx: StoreTx,
  event: Pick<EventRow, 'id' | 'merchantId'>,
  endpoint: WebhookEndpointRow,
  now: number,
): Promise<string> {
  const id = newId('whd');
  await tx.deliveries.insert({
    id,
    endpointId: endpoint.id,
    eventId: event.id,
    merchantId: event.merchantId,
    status: 'pending',
    attemptCount: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await enqueueDelivery(tx, endpoint, id, now);
  return id;
}

/** A delivery for every enabled endpoint of the merchant (and mode) that wants this event. */
export async function fanOut(
  tx: StoreTx,
  event: EventRow,
  now: number,
  opts: { exclude?: string } = {},
): Promise<string[]> {
  const endpoints = await tx.endpoints.live(event.merchantId, event.livemode);
  const ids: string[] = [];
  for (const endpoint of endpoints) {
    if (endpoint.status !== 'enabled' || endpoint.id === opts.exclude) continue;
    if (!matchesEventPatterns(event.type, endpoint.enabledEvents)) continue;
    ids.push(await queueDelivery(tx, event, endpoint, now));
  }
  return ids;
}

/** Queues one delivery attempt. Keyed `merchant/endpoint`: the worker bounds deliveries
 * in flight per endpoint and per merchant, so one merchant's dead endpoints cannot hold
 * every slot. */
export function enqueueDelivery(
  tx: StoreTx,
  endpoint: Pick<WebhookEndpointRow, 'id' | 'merchantId'>,
  deliveryId: string,
  now: number,
) {
  return enqueue(
    tx,
    DELIVER_JOB,
    { delivery: deliveryId },
    {
      runAt: now,
      now,
      merchantId: endpoint.merchantId,
      concurrencyKey: `${endpoint.merchantId}/${endpoint.id}`,
    },
  );
}
