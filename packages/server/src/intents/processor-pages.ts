import type { ProcessorPages } from '@kassa/processors';
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import type { ConfirmService } from './confirm.ts';
import { receiveNotification } from './processor-notifications.ts';

const hasPages = (p: unknown): p is ProcessorPages =>
  typeof (p as ProcessorPages | undefined)?.handlePage === 'function';

/** Serves adapters' shopper pages (the sandbox's 3-D Secure page) under /processors/<id>/. */
export function processorPages(deps: Deps, confirms: ConfirmService) {
  const app = new Hono<AppEnv>();
  app.all('/:processor/*', async (c) => {
    const id = c.req.param('processor');
    const processor = deps.routing.get(id);
    if (!hasPages(processor)) return c.notFound();
    const prefix = `/processors/${id}/`;
    // Who may frame the page: the hosted page (us) and, above it, the merchant's pages.
    let ancestors: string[] = [];
    // The body was read (within the limit) by the gateway's body reader: hand it on.
    const method = c.req.method;
    const request =
      method === 'GET' || method === 'HEAD'
        ? c.req.raw
        : new Request(c.req.url, { method, headers: c.req.raw.headers, body: await c.req.text() });
    const res = await processor.handlePage(request, {
      path: c.req.path.slice(prefix.length),
      describe: async (reference) => {
        const found = await deps.store.read(async (tx) => {
          const attempt = await tx.attempts.byReference(id, reference);
          const intent = attempt ? await tx.intents.get(attempt.intentId) : null;
          const merchant = intent ? await tx.merchants.get(intent.merchantId) : null;
          return intent && merchant ? { intent, merchant } : null;
        });
        if (!found) return null;
        ancestors = found.merchant.allowedOrigins;
        return {
          amount: found.intent.amount,
          currency: found.intent.currency,
          merchantName: found.merchant.name,
        };
      },
      deliverNotification: async (headers, rawBody) => {
        await receiveNotification(deps, id, headers, rawBody);
      },
      completeAction: async (reference, result) => {
        const done = await confirms.completeAction(id, reference, result);
        // Inside the hosted page the page follows the intent itself; do not navigate away.
        return c.req.query('embedded') ? { returnUrl: null } : done;
      },
    });
    if (!res) return c.notFound();
    // Processor pages may be framed by the hosted page only; they never go to a log.
    const headers = new Headers(res.headers);
    headers.set(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self' ${ancestors.join(' ')}`.trim(),
    );
    headers.set('referrer-policy', 'no-referrer');
    headers.set('x-content-type-options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
  return app;
}
