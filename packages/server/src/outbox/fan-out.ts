import { matchesEventPatterns, newId } from '@kassa/protocol';
import type { EventRow, StoreTx, WebhookEndpointRow } from '../store/types.ts';
import { enqueue, jobKind } from '../worker/enqueue.ts';

/** A delivery to attempt, with its endpoint and event, so the deliverer reads all three at
 * once (jobs queued before they were named here carry the delivery alone). */
export const DELIVER_JOB = jobKind<{ delivery: string; endpoint?: string; event?: string }>(
  'webhook.deliver',
);

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
  await enqueueDelivery(tx, endpoint, { id, eventId: event.id }, now);
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
  delivery: { id: string; eventId: string },
  now: number,
) {
  return enqueue(
    tx,
    DELIVER_JOB,
    { delivery: delivery.id, endpoint: endpoint.id, event: delivery.eventId },
    {
      runAt: now,
      now,
      merchantId: endpoint.merchantId,
      concurrencyKey: `${endpoint.merchantId}/${endpoint.id}`,
    },
  );
}
