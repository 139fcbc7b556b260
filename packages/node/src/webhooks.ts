import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.ts';
import type { KassaEvent } from './types.ts';

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const h = headers as Record<string, string | string[] | undefined>;
  const v =
    h[name] ??
    h[name.toLowerCase()] ??
    Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a Kassa webhook (Standard Webhooks) and returns the typed event. Pass the raw
 * request body exactly as received: re-serialised JSON will not verify. Refuses
 * timestamps more than `toleranceSeconds` (default 5 minutes) away from now. Deduplicate
 * on `event.id` (the `webhook-id` header): retries carry the same id.
 *
 * @example
 * app.post('/webhooks/kassa', async (c) => {
 *   const event = verifyWebhook(await c.req.text(), c.req.raw.headers, process.env.KASSA_WEBHOOK_SECRET);
 *   if (event.type === 'payment_intent.succeeded') await markPaid(event.data.object.order_id);
 *   return c.body(null, 204);
 * });
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  headers: WebhookHeaders,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): KassaEvent {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'malformed',
      'Missing webhook-id, webhook-timestamp or webhook-signature.',
    );
  }
  if (!/^\d+$/.test(timestamp))
    throw new WebhookVerificationError('malformed', 'Bad webhook-timestamp.');
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches)
    throw new WebhookVerificationError('bad_signature', 'No signature matches this secret.');
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('too_old', 'The webhook timestamp is too far from now.');
  }
  try {
    return JSON.parse(body) as KassaEvent;
  } catch {
    throw new WebhookVerificationError('malformed', 'The body is not JSON.');
  }
}
