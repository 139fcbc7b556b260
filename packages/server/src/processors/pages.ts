import type { ProcessorPages } from '@kassa/processors';
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import type { ConfirmService } from '../intents/confirm.ts';

const hasPages = (p: unknown): p is ProcessorPages =>
  typeof (p as ProcessorPages | undefined)?.handlePage === 'function';

/** Serves adapters' shopper pages (the sandbox's 3-D Secure page) under /processors/<id>/. */
export function processorPages(deps: Deps, confirms: ConfirmService) {
  const app = new Hono<AppEnv>();
  app.all('/:processor/*', async (c) => {
    const id = c.req.param('processor');
    const processor = deps.processors[id];
    if (!hasPages(processor)) return c.notFound();
    const prefix = `/processors/${id}/`;
    const res = await processor.handlePage(c.req.raw, {
      path: c.req.path.slice(prefix.length),
      describe: async (reference) => {
        const found = await deps.store.read(async (tx) => {
          const attempt = await tx.findAttemptByReference(id, reference);
          return attempt ? tx.getIntent(attempt.intentId) : null;
        });
        return found ? { amount: found.amount, currency: found.currency } : null;
      },
      completeAction: (reference, result) => confirms.completeAction(id, reference, result),
    });
    return res ?? c.notFound();
  });
  return app;
}
