import type { Deps } from '../deps.ts';
import { recordEvent } from '../outbox/record.ts';
import type { DeliveryStatus, StoreTx } from '../store/types.ts';
import { nextAttemptAt, parseRetryAfter } from './schedule.ts';
import { sendWebhook } from './send.ts';
import { toDelivery, toEventPayload } from './serialize.ts';
import { signWebhook } from './signing.ts';

/**
 * The `webhook.deliver` job: one attempt at one delivery, then the schedule. 2xx is
 * delivered; 410 disables the endpoint; anything else, a timeout or a network error is
 * retried on the schedule (honouring Retry-After) and dead-lettered after the last try.
 * Every attempt shares the event id as `webhook-id`, so receivers can dedupe. Jobs carry
 * the endpoint as concurrency key, so the worker bounds deliveries per endpoint.
 */
export function createDeliverer(deps: Deps) {
  const { store, clock, config, logger } = deps;
  return async function deliver(payload: { delivery: string; endpoint?: string; event?: string }) {
    const found = await store.read(async (tx) => {
      // Read together: one round trip on PostgreSQL (its connections pipeline).
      const { endpoint: endpointId, event: eventId } = payload;
      if (endpointId !== undefined && eventId !== undefined) {
        const [delivery, endpoint, event] = await Promise.all([
          tx.deliveries.get(payload.delivery),
          tx.endpoints.get(endpointId),
          tx.events.get(eventId),
        ]);
        return delivery && { delivery, endpoint, event };
      }
      // A job queued with the delivery alone: the endpoint and event are learnt from it.
      const delivery = await tx.deliveries.get(payload.delivery);
      if (!delivery) return null;
      const [endpoint, event] = await Promise.all([
        tx.endpoints.get(delivery.endpointId),
        tx.events.get(delivery.eventId),
      ]);
      return { delivery, endpoint, event };
    });
    if (found?.delivery.status !== 'pending' || !found.event) return undefined;
    const { delivery, endpoint, event } = found;
    if (!endpoint || endpoint.status === 'disabled') {
      const now = clock.now();
      return {
        write: async (tx: StoreTx) => {
          await tx.deliveries.set(delivery.id, {
            status: 'canceled',
            nextAttemptAt: null,
            updatedAt: now,
          });
        },
      };
    }

    const attemptedAt = clock.now();
    const body = JSON.stringify(toEventPayload(event));
    const timestamp = Math.floor(attemptedAt / 1000);
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && (endpoint.previousSecretExpiresAt ?? 0) > attemptedAt) {
      secrets.push(endpoint.previousSecret);
    }
    const result = await sendWebhook({
      url: endpoint.url,
      body,
      headers: {
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(event.id, timestamp, body, secrets),
      },
      timeoutMs: config.webhooks.timeoutMs,
      // One address policy for test and live (SSRF), checked on every connection.
      livemode: endpoint.livemode,
      policy: config.webhooks.addressPolicy,
      keepBody: config.webhooks.keepResponseBodies,
    });

    const now = clock.now();
    const attemptCount = delivery.attemptCount + 1;
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const gone = result.status === 410;
    deps.metrics?.webhookAttempt(
      ok ? 'delivered' : gone ? 'gone' : 'failed',
      result.status,
      result.latencyMs / 1000,
    );
    const next =
      ok || gone
        ? null
        : nextAttemptAt({
            schedule: config.webhooks.retrySchedule,
            attemptsMade: attemptCount,
            now,
            retryAfterMs: parseRetryAfter(result.retryAfter, now),
          });

    // Committed by the worker together with the end of this job.
    const write = async (tx: StoreTx) => {
      await tx.deliveries.insertAttempt({
        deliveryId: delivery.id,
        attemptedAt,
        responseStatus: result.status,
        latencyMs: result.latencyMs,
        responseBody: result.body,
        error: result.error,
      });
      const status: DeliveryStatus = ok
        ? 'delivered'
        : gone
          ? 'canceled'
          : next === null
            ? 'dead'
            : 'pending';
      await tx.deliveries.set(delivery.id, {
        status,
        attemptCount,
        nextAttemptAt: next,
        updatedAt: now,
      });
      if (ok && endpoint.failing) await tx.endpoints.update(endpoint.id, { failing: false });
      if (gone) {
        await tx.endpoints.update(endpoint.id, {
          status: 'disabled',
          disabledReason: 'The endpoint answered 410 Gone.',
        });
      }
      if (status === 'dead') {
        await tx.endpoints.update(endpoint.id, { failing: true });
        const attempts = await tx.deliveries.attempts([delivery.id]);
        const dead = { ...delivery, status, attemptCount, nextAttemptAt: null };
        await recordEvent(tx, {
          merchantId: delivery.merchantId,
          livemode: endpoint.livemode,
          type: 'webhook_delivery.dead',
          object: toDelivery(dead, event.type, attempts),
          now,
          excludeEndpoint: endpoint.id,
        });
      }
    };
    if (!ok) {
      logger.warn(
        {
          delivery: delivery.id,
          endpoint: endpoint.id,
          status: result.status,
          error: result.error,
          attempt: attemptCount,
        },
        next === null ? 'webhook delivery gave up' : 'webhook delivery failed; will retry',
      );
    }
    return { retryAt: next ?? undefined, write };
  };
}
