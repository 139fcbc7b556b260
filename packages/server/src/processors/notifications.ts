import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { applyOutcome } from '../intents/outcome.ts';

/**
 * `POST /v1/processor_webhooks/:processor`: a processor tells us how a payment ended.
 * The adapter verifies signature and age; the raw notification is stored and
 * deduplicated by its id; the outcome goes through the one status machine, which never
 * moves a payment backwards.
 */
export function processorNotificationRoutes(deps: Deps) {
  const { store, clock, logger } = deps;
  const app = new Hono<AppEnv>();
  app.post('/:processor', async (c) => {
    const id = c.req.param('processor');
    const processor = deps.processors[id];
    if (!processor?.parseNotification) throw notFound('processor', id);
    const rawBody = await c.req.text();
    const now = clock.now();
    let notification: Awaited<ReturnType<NonNullable<typeof processor.parseNotification>>>;
    try {
      notification = await processor.parseNotification({
        headers: Object.fromEntries(c.req.raw.headers),
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
    const result = await store.transaction(async (tx) => {
      const fresh = await tx.insertProcessorNotification({
        processor: id,
        notificationId: notification.id,
        reference: notification.reference,
        payload: rawBody,
        receivedAt: now,
      });
      if (!fresh) return { duplicate: true, applied: false };
      const attempt = await tx.findAttemptByReference(id, notification.reference);
      if (!attempt) {
        logger.warn(
          { processor: id, reference: notification.reference },
          'notification for an unknown payment',
        );
        return { duplicate: false, applied: false };
      }
      await applyOutcome(deps, tx, attempt.id, notification.outcome, now);
      return { duplicate: false, applied: true };
    });
    return c.json({ received: true, ...result });
  });
  return app;
}
