import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { applyOutcome } from '../intents/outcome.ts';
import { routingOf } from './routing.ts';

/**
 * `POST /v1/processor_webhooks/:processor`: a processor tells us how a payment ended.
 * The adapter verifies signature and age; the raw notification is stored and
 * deduplicated by its id; the outcome goes through the one status machine, which never
 * moves a payment backwards.
 */
/**
 * Verifies, stores (deduplicated by the notification's id) and applies one processor
 * notification. The HTTP route and adapters' own pages both come through here.
 */
export async function receiveNotification(
  deps: Deps,
  processorId: string,
  headers: Record<string, string>,
  rawBody: string,
): Promise<{ duplicate: boolean; applied: boolean }> {
  const { store, clock, logger } = deps;
  const processor = routingOf(deps).get(processorId);
  if (!processor?.parseNotification) throw notFound('processor', processorId);
  const now = clock.now();
  let notification: Awaited<ReturnType<NonNullable<typeof processor.parseNotification>>>;
  try {
    notification = await processor.parseNotification({ headers, rawBody, now });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'invalid_notification';
    throw new ApiError(
      400,
      code,
      (err as Error).message || 'The notification could not be verified.',
    );
  }
  return store.transaction(async (tx) => {
    const fresh = await tx.insertProcessorNotification({
      processor: processorId,
      notificationId: notification.id,
      reference: notification.reference,
      payload: rawBody,
      receivedAt: now,
    });
    if (!fresh) return { duplicate: true, applied: false };
    const attempt = await tx.findAttemptByReference(processorId, notification.reference);
    if (!attempt) {
      logger.warn(
        { processor: processorId, reference: notification.reference },
        'notification for an unknown payment',
      );
      return { duplicate: false, applied: false };
    }
    await applyOutcome(deps, tx, attempt.id, notification.outcome, now);
    return { duplicate: false, applied: true };
  });
}

/** `POST /v1/processor_webhooks/:processor`. */
export function processorNotificationRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.post('/:processor', async (c) => {
    const result = await receiveNotification(
      deps,
      c.req.param('processor'),
      Object.fromEntries(c.req.raw.headers),
      await c.req.text(),
    );
    return c.json({ received: true, ...result });
  });
  return app;
}
