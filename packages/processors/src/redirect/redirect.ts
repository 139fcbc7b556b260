import { createHmac } from 'node:crypto';
import { formatAmount, randomToken } from '@kassa/protocol';
import { createLedger } from '../ledger.ts';
import { NotificationError } from '../notification-error.ts';
import type { Processor, ProcessorOutcome, ProcessorPages } from '../processor.ts';
import { signNotification, verifyNotification } from '../signature.ts';
import { approvePage, donePage } from './app-page.ts';

export const REDIRECT_SIGNATURE_HEADER = 'kassa-redirect-signature';

export interface RedirectOptions {
  /** Shared secret that signs the app's notifications to the gateway. */
  secret: string;
  now?: () => number;
  /** The app's books (JSON lines), shared by the processes given the same file, so a
   * status look-up answers the same in every process; memory only when left out. */
  ledgerFile?: string;
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
  // What the app itself knows of its payments (for status look-ups): its books.
  const ledger = createLedger(o.ledgerFile);
  const declined = (reference: string): ProcessorOutcome => ({
    status: 'failed',
    reference,
    declineCode: 'declined_in_app',
    message: 'The payment was declined in the payment app.',
  });
  const waiting = (reference: string): ProcessorOutcome => ({
    status: 'requires_action',
    reference,
    action: { type: 'redirect', url: `/processors/redirect/app/${reference}` },
  });
  /** Where a payment stands in the app's books, with the books' record of it. */
  const outcomeOf = (reference: string): ProcessorOutcome => {
    const settled = ledger.settled(reference)?.status;
    const out =
      settled === 'succeeded'
        ? ({ status: 'succeeded', reference } as const)
        : settled === 'failed'
          ? declined(reference)
          : waiting(reference);
    const facts = ledger.factsOf(reference);
    return facts ? { ...out, facts } : out;
  };

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

    async authorize({ attemptId, amount, currency }) {
      // Derived from the attempt id (keyed, so it cannot be guessed from it): authorising
      // the same attempt again is the same payment.
      const reference = `rdr_${createHmac('sha256', o.secret).update(attemptId).digest('hex').slice(0, 32)}`;
      if (!ledger.operation(attemptId)) {
        await ledger.recordOperation({
          op: attemptId,
          kind: 'authorize',
          reference,
          amount,
          currency,
          result: { status: 'started', reference },
          at: now(),
        });
      }
      return outcomeOf(reference);
    },

    async retrieve({ reference }) {
      return outcomeOf(reference);
    },

    // The app refunds at once; its refund reference is derived from the operation id, so
    // a repeated call names the same refund.
    async refund({ reference, operationId }) {
      return { status: 'succeeded', reference: `${reference}_refund_${operationId}` };
    },

    async parseNotification(req) {
      verifyNotification(req.headers[REDIRECT_SIGNATURE_HEADER], req.rawBody, o.secret, req.now);
      let body: { id?: unknown; reference?: unknown; status?: unknown };
      try {
        body = JSON.parse(req.rawBody) ?? {};
      } catch {
        throw new NotificationError('malformed_notification', 'The body is not JSON.');
      }
      if (
        typeof body.id !== 'string' ||
        typeof body.reference !== 'string' ||
        !/^rdr_[0-9a-f]{32}$/.test(body.reference) ||
        (body.status !== 'success' && body.status !== 'failed')
      ) {
        throw new NotificationError(
          'malformed_notification',
          'Expected { id, reference, status: success|failed }.',
        );
      }
      const outcome: ProcessorOutcome =
        body.status === 'success'
          ? { status: 'succeeded', reference: body.reference }
          : declined(body.reference);
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
      const booked = ledger.factsOf(reference) ?? payment;
      await ledger.record({
        reference,
        amount: booked.amount,
        currency: booked.currency,
        status: approved ? 'succeeded' : 'failed',
        settled_at: now(),
      });
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
