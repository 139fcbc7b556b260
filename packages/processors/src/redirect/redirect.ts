import { createHmac } from 'node:crypto';
import { formatAmount, randomToken } from '@kassa/protocol';
import { NotificationError } from '../notification-error.ts';
import type { Processor, ProcessorOutcome, ProcessorPages } from '../processor.ts';
import { signNotification, verifyNotification } from '../signature.ts';
import { approvePage, donePage } from './app-page.ts';

export const REDIRECT_SIGNATURE_HEADER = 'kassa-redirect-signature';

export interface RedirectOptions {
  /** Shared secret that signs the app's notifications to the gateway. */
  secret: string;
  now?: () => number;
}

/** Signs a notification as the external app does: `t=<seconds>,v1=<hex HMAC of "t.body">`. */
export function signRedirectNotification(body: string, secret: string, t: number) {
  return signNotification(body, secret, t);
}

/** A path on this origin, or null: `//evil.example` and `/\\evil.example` are other
 * origins to a browser. */
export function sameOriginPath(value: string | null): string | null {
  if (!value?.startsWith('/')) return null;
  const base = 'http://gateway.invalid';
  const url = new URL(value, base);
  return url.origin === base && !/^\/[\\/]/.test(value) ? value : null;
}

/**
 * Seed 001's external payment app: the shopper is sent to the app (served here, on the
 * adapter's own path), approves or declines, and the app calls the gateway back with a
 * signed notification, before and independently of sending the shopper back: a shopper
 * who closes the tab still ends with the right status. A notification that never comes
 * leaves the payment waiting until the expiry check.
 *
 * @example
 * const redirect = createRedirectProcessor({ secret: process.env.KASSA_REDIRECT_SECRET });
 */
export function createRedirectProcessor(o: RedirectOptions): Processor & ProcessorPages {
  const now = o.now ?? Date.now;
  // What the app itself knows of its payments (for status look-ups).
  const outcomes = new Map<string, ProcessorOutcome>();

  return {
    id: 'redirect',
    capabilities: {
      // Pretend money only.
      modes: ['test'],
      paymentMethods: ['redirect'],
      manualCapture: false,
      partialCapture: false,
      refunds: true,
      threeDSecure: false,
      fields: 'kassa',
    },

    async authorize({ attemptId }) {
      // Derived from the attempt id (keyed, so it cannot be guessed from it): authorising
      // the same attempt again is the same payment.
      const reference = `rdr_${createHmac('sha256', o.secret).update(attemptId).digest('hex').slice(0, 32)}`;
      return {
        status: 'requires_action',
        reference,
        action: { type: 'redirect', url: `/processors/redirect/app/${reference}` },
      };
    },

    async retrieve({ reference }) {
      return (
        outcomes.get(reference) ?? {
          status: 'requires_action',
          reference,
          action: { type: 'redirect', url: `/processors/redirect/app/${reference}` },
        }
      );
    },

    // The app refunds at once; its refund reference is derived from the operation id, so
    // a repeated call names the same refund.
    async refund({ reference, operationId }) {
      return { status: 'succeeded', reference: `${reference}_refund_${operationId}` };
    },

    async parseNotification(req) {
      verifyNotification(req.headers[REDIRECT_SIGNATURE_HEADER], req.rawBody, o.secret, req.now);
      const body = JSON.parse(req.rawBody) as { id?: string; reference?: string; status?: string };
      if (!body.id || !body.reference || (body.status !== 'success' && body.status !== 'failed')) {
        throw new NotificationError(
          'malformed_notification',
          'Expected { id, reference, status: success|failed }.',
        );
      }
      const outcome: ProcessorOutcome =
        body.status === 'success'
          ? { status: 'succeeded', reference: body.reference }
          : {
              status: 'failed',
              reference: body.reference,
              declineCode: 'declined_in_app',
              message: 'The payment was declined in the payment app.',
            };
      return { kind: 'payment', id: body.id, reference: body.reference, outcome };
    },

    async handlePage(request, ctx) {
      const m = /^app\/(rdr_[A-Za-z0-9]+)$/.exec(ctx.path);
      if (!m?.[1]) return null;
      const reference = m[1];
      const payment = await ctx.describe(reference);
      if (!payment) return new Response('Unknown payment.', { status: 404 });
      const url = new URL(request.url);
      const html = (s: string) =>
        new Response(s, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      if (request.method === 'GET') {
        return html(
          approvePage({
            amount: formatAmount(payment.amount, payment.currency),
            action: `/processors/redirect/app/${reference}${url.search}`,
          }),
        );
      }
      const approved = String((await request.formData()).get('result')) === 'approve';
      const body = JSON.stringify({
        id: `ntf_${randomToken(20)}`,
        reference,
        status: approved ? 'success' : 'failed',
      });
      outcomes.set(
        reference,
        approved
          ? { status: 'succeeded', reference }
          : {
              status: 'failed',
              reference,
              declineCode: 'declined_in_app',
              message: 'The payment was declined in the payment app.',
            },
      );
      // The callback goes first: the shopper may close the tab now and nothing is lost.
      await ctx.deliverNotification(
        {
          'content-type': 'application/json',
          [REDIRECT_SIGNATURE_HEADER]: signRedirectNotification(
            body,
            o.secret,
            Math.floor(now() / 1000),
          ),
        },
        body,
      );
      const back = url.searchParams.get('return');
      return html(donePage({ approved, returnUrl: sameOriginPath(back) }));
    },
  };
}
