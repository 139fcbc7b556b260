import { formatAmount, minorUnitDigits, randomToken } from '@kassa/protocol';
import { createLedger, type LedgerOperation } from '../ledger.ts';
import type {
  AuthorizeRequest,
  OperationRequest,
  Processor,
  ProcessorOutcome,
  ProcessorPages,
  ReferenceRequest,
} from '../processor.ts';
import { challengePage, donePage, pageLang, upiAppPage } from './challenge-page.ts';
import { parseSandboxNotification } from './notifications.ts';
import { makeReference, readReference, type SandboxPayment } from './reference.ts';
import { type SandboxScenario, scenarioForCard, scenarioForVpa } from './test-cards.ts';

export interface SandboxOptions {
  /** Added before every answer, to imitate a real processor. Default 0. */
  latencyMs?: number;
  /** How long asynchronous payments (UPI, the async card) stay processing. Default 2000. */
  asyncDelayMs?: number;
  /** Clock in milliseconds; injected by tests. */
  now?: () => number;
  /** Secret that signs the sandbox's notifications to the gateway. Left out, a random
   * one: there is no default anyone could sign with. */
  notificationSecret?: string;
  /** A file for the settlement ledger (JSON lines); memory only when left out. */
  ledgerFile?: string;
}

/** The sandbox implements every optional part of the interface. */
export type SandboxProcessor = Processor &
  ProcessorPages &
  Required<
    Pick<
      Processor,
      | 'authorize'
      | 'continueAfterAction'
      | 'capture'
      | 'cancel'
      | 'refund'
      | 'parseNotification'
      | 'settlementReport'
    >
  > & {
    /** Test-only: make the books disagree with what the gateway was told (reconciliation). */
    injectDiscrepancy(reference: string, status: 'succeeded' | 'failed'): Promise<void>;
    /** Test-only: every capture, cancel and refund carried out on a payment. */
    operations(reference: string): LedgerOperation[];
  };

/**
 * The `upi://pay` link a UPI app opens (NPCI's linking specification): the payee (the
 * merchant's name; the sandbox's own address), the amount in rupees, and the payment's
 * reference as the transaction reference.
 */
function upiLink(
  reference: string,
  money?: { amount: number; currency: string },
  payee = 'Kassa sandbox',
): string {
  const q = new URLSearchParams({ pa: 'sandbox@kassa', pn: payee, tr: reference });
  if (money) {
    q.set('am', (money.amount / 10 ** minorUnitDigits(money.currency)).toFixed(2));
    q.set('cu', money.currency.toUpperCase());
  }
  return `upi://pay?${q.toString().replace(/\+/g, '%20')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The sandbox processor: test cards and UPI addresses with fixed, documented outcomes,
 * a 3-D Secure challenge page, asynchronous outcomes, configurable latency, and books
 * (a ledger) that its settlement reports come from.
 *
 * @example
 * const sandbox = createSandboxProcessor({ latencyMs: 50 });
 * await sandbox.authorize({ attemptId: 'pa_1', intentId: 'pi_1', amount: 1000, currency: 'USD',
 *   captureMethod: 'automatic', paymentMethod: { type: 'card', card: { number: '4242424242424242',
 *   exp_month: 12, exp_year: 2030, cvc: '123' } } });
 * // => { status: 'succeeded', reference: 'sbx_…' }
 */
export function createSandboxProcessor(options: SandboxOptions = {}): SandboxProcessor {
  const latency = options.latencyMs ?? 0;
  const asyncDelay = options.asyncDelayMs ?? 2000;
  const now = options.now ?? Date.now;
  const wait = () => (latency > 0 ? sleep(latency) : Promise.resolve());
  const ledger = createLedger(options.ledgerFile);
  const notificationSecret = options.notificationSecret ?? randomToken(32);

  /** Carries out a money-moving call once per operation id; a repeat answers the same. */
  async function once<T extends { status: string; reference?: string | null }>(
    req: OperationRequest,
    kind: LedgerOperation['kind'],
    act: () => T | Promise<T>,
  ): Promise<T> {
    const seen = ledger.operation(req.operationId);
    if (seen) {
      // Answered as the first time: a capture with the books' record of the payment.
      const facts = kind === 'capture' ? ledger.factsOf(req.reference) : undefined;
      return (facts ? { ...seen.result, facts } : seen.result) as T;
    }
    const result = await act();
    const booked = await ledger.recordOperation({
      op: req.operationId,
      kind,
      reference: req.reference,
      amount: req.amount,
      currency: req.currency,
      result: { status: result.status, reference: result.reference ?? undefined },
      at: now(),
    });
    // Another process booked the same operation meanwhile: its answer is the answer.
    const first =
      booked.result.status !== result.status ||
      (booked.result.reference ?? null) !== (result.reference ?? null);
    const facts = kind === 'capture' ? ledger.factsOf(req.reference) : undefined;
    const answer = first ? booked.result : result;
    return (facts ? { ...answer, facts } : answer) as T;
  }

  /** Notes final outcomes in the ledger, as a processor's books would, and answers with
   * the books' record of the payment (what it was authorised for, by which attempt). */
  async function book(
    outcome: ProcessorOutcome,
    req: { amount: number; currency: string },
  ): Promise<ProcessorOutcome> {
    const reference = outcome.reference;
    if (!reference) return outcome;
    const facts = ledger.factsOf(reference);
    // Only these two fields: a request can carry card data, which never goes in the books.
    const money = { amount: req.amount, currency: req.currency };
    if (outcome.status === 'succeeded' || outcome.status === 'failed') {
      await ledger.record({
        reference,
        ...money,
        status: outcome.status,
        settled_at: now(),
      });
    }
    return facts ? { ...outcome, facts } : outcome;
  }

  /** Where a payment in a final-or-immediate scenario stands. */
  function settle(
    p: SandboxPayment,
    s: SandboxScenario,
    reference: string,
    money?: { amount: number; currency: string; payee?: string },
  ): ProcessorOutcome {
    switch (s.kind) {
      case 'succeed':
        return { status: p.manual ? 'authorized' : 'succeeded', reference };
      case 'decline':
        return { status: 'failed', reference, declineCode: s.code, message: s.message };
      case 'three_d_secure':
        return {
          status: 'requires_action',
          reference,
          action: { type: 'three_d_secure', url: `/processors/sandbox/3ds/${reference}` },
        };
      case 'unanswered':
        return { status: 'processing', reference };
      case 'upi_app':
        return {
          status: 'requires_action',
          reference,
          action: {
            type: 'upi_intent',
            url: upiLink(reference, money, money?.payee),
            testUrl: `/processors/sandbox/upi/${reference}`,
          },
        };
      case 'async':
        // A binding request is approved late: three times the usual delay.
        return now() - p.startedAt >= asyncDelay * (s.binding ? 3 : 1)
          ? settle(p, s.next, reference)
          : { status: 'processing', reference };
    }
  }

  const withdrawn = (reference: string) =>
    ledger
      .operationsOn(reference)
      .some((o) => o.kind === 'cancel' && o.result.status === 'canceled');
  const canceledOutcome = (reference: string): ProcessorOutcome => ({
    status: 'failed',
    reference,
    declineCode: 'canceled',
    message: 'The payment was canceled.',
  });

  function paymentOf(reference: string): SandboxPayment {
    const p = readReference(reference);
    if (!p) throw new Error(`sandbox: unknown reference ${reference}`);
    return p;
  }

  function afterChallenge(reference: string, result: string): ProcessorOutcome {
    const p = paymentOf(reference);
    if (withdrawn(reference)) return canceledOutcome(reference);
    if (p.scenario.kind === 'upi_app') {
      return result === 'approve'
        ? settle(p, { kind: 'succeed' }, reference)
        : {
            status: 'failed',
            reference,
            declineCode: 'upi_declined',
            message: 'The payment was declined in the UPI app.',
          };
    }
    if (p.scenario.kind !== 'three_d_secure') return settle(p, p.scenario, reference);
    if (result !== 'approve') {
      return {
        status: 'failed',
        reference,
        declineCode: 'authentication_failed',
        message: 'We could not authenticate your payment. Try again or use another card.',
      };
    }
    return settle(p, p.scenario.next, reference);
  }

  return {
    id: 'sandbox',
    capabilities: {
      // Pretend money only.
      modes: ['test'],
      paymentMethods: ['card', 'upi'],
      manualCapture: true,
      partialCapture: true,
      refunds: true,
      threeDSecure: true,
      fields: 'kassa',
      cancelPending: true,
    },

    async authorize(req: AuthorizeRequest) {
      await wait();
      const m = req.paymentMethod;
      if (m.type === 'redirect') {
        throw new Error(
          'the sandbox takes cards and UPI; redirect payments go to the redirect processor',
        );
      }
      // The attempt id is the operation id: authorising the same attempt again (a retry
      // after a timeout or a crash) answers for the same payment, never a second one.
      const seen = ledger.operation(req.attemptId)?.result.reference;
      if (seen) return book(settle(paymentOf(seen), paymentOf(seen).scenario, seen, req), req);
      const scenario: SandboxScenario =
        m.type === 'card'
          ? scenarioForCard(m.card.number)
          : m.upi.flow === 'intent'
            ? { kind: 'upi_app' }
            : scenarioForVpa(m.upi.vpa ?? '');
      const payment = { scenario, manual: req.captureMethod === 'manual', startedAt: now() };
      const made = makeReference(payment);
      const booked = await ledger.recordOperation({
        op: req.attemptId,
        kind: 'authorize',
        reference: made,
        amount: req.amount,
        currency: req.currency,
        result: { status: 'started', reference: made },
        at: now(),
      });
      // The same attempt authorised twice at once: both answer for the payment booked first.
      const reference = booked.result.reference ?? made;
      const p = reference === made ? payment : paymentOf(reference);
      return book(settle(p, p.scenario, reference, req), req);
    },

    async retrieve(req: ReferenceRequest) {
      await wait();
      const p = paymentOf(req.reference);
      // A captured or released hold answers as such, as a real processor would.
      const ops = ledger.operationsOn(req.reference);
      const facts = ledger.factsOf(req.reference);
      if (ops.some((o) => o.kind === 'capture' && o.result.status === 'succeeded')) {
        return { status: 'succeeded' as const, reference: req.reference, facts };
      }
      if (withdrawn(req.reference)) return { ...canceledOutcome(req.reference), facts };
      // Paid after 3-D Secure: the books say so.
      if (ledger.settled(req.reference)?.status === 'succeeded' && !p.manual) {
        return { status: 'succeeded' as const, reference: req.reference, facts };
      }
      // A 3-D Secure payment that was never completed is still waiting for the shopper.
      return book(settle(p, p.scenario, req.reference, req), req);
    },

    async continueAfterAction(req) {
      await wait();
      return book(afterChallenge(req.reference, req.result), req);
    },

    async capture(req) {
      await wait();
      return once(req, 'capture', () => {
        // A released hold cannot be captured, as at any real processor.
        if (ledger.operationsOn(req.reference).some((o) => o.kind === 'cancel')) {
          return {
            status: 'failed',
            reference: req.reference,
            declineCode: 'authorization_released',
            message: 'This authorisation was released.',
          };
        }
        return book({ status: 'succeeded', reference: req.reference }, req);
      });
    },

    // Releases a hold, or withdraws a payment still waiting for the shopper (3-D Secure,
    // a UPI request) — except a binding one. Money already taken is never "canceled".
    async cancel(req) {
      await wait();
      const p = paymentOf(req.reference);
      const out = await once(req, 'cancel', () => {
        const ops = ledger.operationsOn(req.reference);
        const captured = ops.some((o) => o.kind === 'capture' && o.result.status === 'succeeded');
        const now = settle(p, p.scenario, req.reference);
        const paid = ledger.settled(req.reference)?.status === 'succeeded';
        const binding = p.scenario.kind === 'async' && p.scenario.binding === true;
        const stays =
          captured ||
          paid ||
          now.status === 'succeeded' ||
          (now.status === 'processing' && binding);
        return { status: stays ? 'failed' : 'canceled', reference: req.reference };
      });
      return { canceled: out.status === 'canceled' };
    },

    async refund(req) {
      await wait();
      const out = await once(req, 'refund', () => ({
        status: 'succeeded',
        reference: `${req.reference}_refund_${req.operationId}`,
      }));
      return { status: out.status as 'succeeded', reference: out.reference as string };
    },

    operations: (reference) => ledger.operationsOn(reference),

    async settlementReport({ from, to }) {
      return ledger.between(from, to);
    },

    async injectDiscrepancy(reference, status) {
      const auth = ledger.authorization(reference);
      const m = auth
        ? { amount: auth.amount, currency: auth.currency }
        : { amount: 0, currency: 'USD' };
      await ledger.record({ reference, ...m, status, settled_at: now() });
    },

    async parseNotification(req) {
      return parseSandboxNotification(req, notificationSecret);
    },

    async handlePage(request, ctx) {
      const m = /^(3ds|upi)\/(sbx_[A-Za-z0-9_.-]+)$/.exec(ctx.path);
      if (!m?.[1] || !m[2]) return null;
      const [, page, reference] = m;
      const payment = await ctx.describe(reference);
      const lang = pageLang(new URL(request.url).searchParams.get('lang'));
      if (!payment || !readReference(reference)) {
        return new Response('Unknown or finished payment.', { status: 404 });
      }
      if (request.method === 'GET') {
        const opts = {
          amount: formatAmount(payment.amount, payment.currency, lang),
          payee: payment.merchantName,
          lang,
          // Keep the query (`embedded=1` inside the hosted page) for the answer too.
          action: `/processors/sandbox/${page}/${reference}${new URL(request.url).search}`,
        };
        const html = page === 'upi' ? upiAppPage(opts) : challengePage(opts);
        return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      }
      if (request.method === 'POST') {
        const form = await request.formData();
        const { returnUrl } = await ctx.completeAction(reference, String(form.get('result')));
        if (returnUrl) return Response.redirect(returnUrl, 303);
        return new Response(donePage(page === 'upi' ? 'upi' : '3ds', lang), {
          headers: { 'content-type': 'text/html; charset=utf-8' },
        });
      }
      return new Response('Method not allowed', { status: 405 });
    },
  };
}
