import type { PaymentMethodData } from '@kassa/protocol';
import { describe, expect, it } from 'vitest';
import {
  type AuthorizeRequest,
  collectorOf,
  type Processor,
  type ProcessorCredentials,
  type ProcessorOutcome,
  type SessionRequest,
} from '../processor.ts';

/** What a payment in the suite asks of an adapter. */
export type PaymentStart = Omit<SessionRequest, 'paymentMethodType' | 'credentials'>;

/** The outcomes the suite pays for; an adapter's fixtures say which it can produce. */
export type Scenario = 'succeeds' | 'declines' | 'threeDSecure' | 'settlesLater';

/** How the suite pays at the adapter under test, as the shopper would there. */
export interface ProcessorFixtures {
  /** The merchant's account at the processor, for adapters that need one. */
  credentials?: ProcessorCredentials;
  /** Pays for a scenario with this attempt's id; returns the processor's first answer. */
  pay(p: Processor, start: PaymentStart, scenario: Scenario): Promise<ProcessorOutcome>;
  /** The scenarios `pay` can produce besides `succeeds` and `declines`. */
  scenarios?: readonly Scenario[];
  /** Plays the shopper's answer to a 3-D Secure challenge, when `threeDSecure` is one. */
  authenticate?(
    p: Processor,
    outcome: ProcessorOutcome,
    approve: boolean,
  ): Promise<ProcessorOutcome>;
  /** Lets time pass until a `settlesLater` payment settles. */
  settle?(): Promise<void> | void;
  /** The currency the suite pays in (default EUR): one the processor takes for its methods. */
  currency?: string;
  /** How long after it was sent a notification is refused as stale (default: an hour is
   * too old). A processor that retries for a day and signs no timestamp allows more. */
  staleAfterMs?: number;
  /** A notification the processor would send about a payment, signed, and its id. */
  notify?(
    p: Processor,
    reference: string,
  ): Promise<{ id: string; headers: Record<string, string>; rawBody: string; now: number }>;
}

/**
 * Fixtures for adapters that take Kassa's own card form (`fields: 'kassa'`): `pay`
 * authorises with the method of each scenario.
 */
export function kassaFormFixtures(
  methods: Partial<Record<Scenario, PaymentMethodData>> & {
    succeeds: PaymentMethodData;
    declines: PaymentMethodData;
  },
  more: Omit<ProcessorFixtures, 'pay' | 'scenarios'> = {},
): ProcessorFixtures {
  return {
    scenarios: Object.keys(methods) as Scenario[],
    async pay(p, start, scenario) {
      const paymentMethod = methods[scenario];
      if (!paymentMethod || !p.authorize) throw new Error(`no fixture for ${scenario}`);
      const req: AuthorizeRequest = { ...start, paymentMethod };
      return p.authorize(req);
    },
    authenticate: (p, outcome, approve) => {
      if (!p.continueAfterAction || !outcome.reference) throw new Error('no 3-D Secure here');
      return p.continueAfterAction({
        reference: outcome.reference,
        amount: 2500,
        currency: more.currency ?? 'EUR',
        result: approve ? 'approve' : 'fail',
      });
    },
    ...more,
  };
}

let n = 0;

/**
 * The one suite every processor adapter runs, so they all keep the same contract: paid,
 * declined, repeated with one attempt id (one payment), captured, cancelled and refunded
 * once per operation id, notifications verified. What an adapter cannot do is skipped,
 * and says so.
 *
 * @example
 * testProcessor({ name: 'sandbox', create: () => createSandboxProcessor(), fixtures });
 */
export function testProcessor(opts: {
  name: string;
  create: () => Processor;
  fixtures: ProcessorFixtures;
}) {
  const { fixtures } = opts;
  const currency = fixtures.currency ?? 'EUR';
  const start = (captureMethod: 'automatic' | 'manual' = 'automatic'): PaymentStart => ({
    attemptId: `pa_suite_${Date.now().toString(36)}_${++n}`,
    intentId: `pi_suite_${n}`,
    merchantId: 'mer_suite',
    amount: 2500,
    currency,
    captureMethod,
    returnUrl: 'https://shop.example/return',
  });
  const probe = opts.create();
  const caps = probe.capabilities;
  const collectors = caps.paymentMethods.map((m) => collectorOf(caps, m));
  const can = (s: Scenario) => (fixtures.scenarios ?? []).includes(s);
  const credentials = fixtures.credentials;
  const ref = (o: ProcessorOutcome, amount = 2500) => {
    expect(o.reference).toBeTruthy();
    return { reference: o.reference as string, amount, currency, credentials };
  };
  /** Pays, and for a payment that settles later, waits until it does. */
  async function paid(p: Processor, captureMethod: 'automatic' | 'manual' = 'automatic') {
    let out = await fixtures.pay(p, start(captureMethod), 'succeeds');
    if (out.status === 'processing') {
      await fixtures.settle?.();
      out = await p.retrieve(ref(out));
    }
    return out;
  }

  describe(`processor contract: ${opts.name}`, () => {
    it('declares who collects payment details, and has the call that goes with it', () => {
      const p = opts.create();
      expect(caps.paymentMethods.length).toBeGreaterThan(0);
      if (collectors.includes('kassa')) expect(p.authorize).toBeTypeOf('function');
      if (collectors.includes('processor')) expect(p.openSession).toBeTypeOf('function');
      for (const [name, method] of [
        ['capture', caps.manualCapture],
        ['refund', caps.refunds],
      ] as const) {
        if (method) expect(p[name], `${name} is declared`).toBeTypeOf('function');
      }
    });

    it('takes a good payment and reports it the same way on retrieve', async () => {
      const p = opts.create();
      const out = await paid(p);
      expect(out.status).toBe('succeeded');
      const again = await p.retrieve(ref(out));
      expect(again).toMatchObject({ status: 'succeeded', reference: out.reference });
    });

    it('declines with a decline code and a message a shopper can read', async () => {
      const p = opts.create();
      let out = await fixtures.pay(p, start(), 'declines');
      if (out.status === 'processing') out = await p.retrieve(ref(out));
      if (out.status !== 'failed') throw new Error(`expected failed, got ${out.status}`);
      expect(out.declineCode).toMatch(/^[a-z_]+$/);
      expect(out.message.length).toBeGreaterThan(5);
      if (out.reference) expect((await p.retrieve(ref(out))).status).toBe('failed');
    });

    it('is one payment when the same attempt is started twice', async () => {
      const p = opts.create();
      const s = start();
      const method = caps.paymentMethods[0] ?? 'card';
      if (collectorOf(caps, method) === 'processor') {
        const req = { ...s, paymentMethodType: method, credentials };
        const first = await p.openSession?.(req);
        const again = await p.openSession?.(req);
        expect(again?.reference).toBe(first?.reference);
        expect(again?.page.clientSecret).toBe(first?.page.clientSecret);
      } else {
        const first = await fixtures.pay(p, s, 'succeeds');
        const again = await fixtures.pay(p, s, 'succeeds');
        expect(again.reference).toBe(first.reference);
      }
    });

    it('never hands out card data or the merchant’s secrets', async () => {
      const p = opts.create();
      const out = JSON.stringify(await paid(p));
      // What the adapter declares secret; a publishable key is meant for the page.
      const secrets = Object.entries(credentials ?? {}).filter(
        ([name]) => caps.credentials?.find((f) => f.name === name)?.secret !== false,
      );
      for (const secret of ['4242424242424242', ...secrets.map(([, v]) => v)]) {
        expect(out).not.toContain(secret);
      }
      if (p.openSession) {
        const session = await p.openSession({ ...start(), paymentMethodType: 'card', credentials });
        const page = JSON.stringify(session.page);
        for (const [name, value] of secrets) expect(page, name).not.toContain(value);
      }
    });

    it.skipIf(!caps.manualCapture)(
      'holds funds, and captures part of them once per operation id',
      async () => {
        const p = opts.create();
        const held = await paid(p, 'manual');
        expect(held.status).toBe('authorized');
        const amount = caps.partialCapture ? 2000 : 2500;
        const op = { ...ref(held, amount), operationId: `op_capture_${++n}` };
        const captured = await p.capture?.(op);
        expect(captured?.status).toBe('succeeded');
        expect(await p.capture?.(op)).toEqual(captured);
        expect((await p.retrieve(ref(held))).status).toBe('succeeded');
      },
    );

    // Some processors cannot release a hold (Razorpay: it gives uncaptured money back by
    // itself when its capture window ends); they have no `cancel`.
    it.skipIf(!caps.manualCapture || !probe.cancel)(
      'releases a hold once per operation id',
      async () => {
        const p = opts.create();
        const held = await paid(p, 'manual');
        const op = { ...ref(held), operationId: `op_cancel_${++n}` };
        expect(await p.cancel?.(op)).toEqual({ canceled: true });
        expect(await p.cancel?.(op)).toEqual({ canceled: true });
      },
    );

    it.skipIf(!caps.refunds)(
      'refunds once per operation id: a repeat names the same refund, a new id a new one',
      async () => {
        const p = opts.create();
        const out = await paid(p);
        const op = { ...ref(out, 1000), operationId: `re_suite_${++n}` };
        const first = await p.refund?.(op);
        expect(first?.status).toBe('succeeded');
        expect(await p.refund?.(op)).toEqual(first);
        const other = await p.refund?.({ ...op, operationId: `re_suite_other_${n}` });
        expect(other?.status).toBe('succeeded');
        expect(other?.reference).not.toBe(first?.reference);
      },
    );

    it.skipIf(!can('threeDSecure'))(
      'asks for 3-D Secure, then follows the shopper’s answer',
      async () => {
        const p = opts.create();
        expect(caps.threeDSecure).toBe(true);
        const out = await fixtures.pay(p, start(), 'threeDSecure');
        expect(['requires_action', 'pending']).toContain(out.status);
        const approved = await fixtures.authenticate?.(p, out, true);
        expect(approved?.status).toBe('succeeded');
        const second = await fixtures.pay(p, start(), 'threeDSecure');
        const failed = await fixtures.authenticate?.(p, second, false);
        expect(failed).toMatchObject({ status: 'failed', declineCode: 'authentication_failed' });
      },
    );

    it.skipIf(!caps.cancelPending || !(can('threeDSecure') || can('settlesLater')))(
      'withdraws a payment still waiting for the shopper, which then never pays, and never cancels a paid one',
      async () => {
        const p = opts.create();
        const scenario: Scenario = can('threeDSecure') ? 'threeDSecure' : 'settlesLater';
        const out = await fixtures.pay(p, start(), scenario);
        const op = { ...ref(out), operationId: `op_leave_${++n}` };
        expect(await p.cancel?.(op)).toEqual({ canceled: true });
        expect(await p.cancel?.(op)).toEqual({ canceled: true });
        await fixtures.settle?.();
        expect((await p.retrieve(ref(out))).status).toBe('failed');
        if (scenario === 'threeDSecure') {
          // Approving the challenge afterwards pays nothing (refused, or answered failed).
          const late = await fixtures.authenticate?.(p, out, true).catch(() => null);
          expect(late?.status ?? 'failed').toBe('failed');
        }
        const done = await paid(p);
        expect(await p.cancel?.({ ...ref(done), operationId: `op_leave_${++n}` })).toEqual({
          canceled: false,
        });
        expect((await p.retrieve(ref(done))).status).toBe('succeeded');
      },
    );

    it.skipIf(!can('settlesLater'))(
      'reports processing first, then the outcome on retrieve',
      async () => {
        const p = opts.create();
        const out = await fixtures.pay(p, start(), 'settlesLater');
        expect(out.status).toBe('processing');
        await fixtures.settle?.();
        expect((await p.retrieve(ref(out))).status).toBe('succeeded');
      },
    );

    it.skipIf(!fixtures.notify)(
      'verifies notifications: the signed one parses, a tampered or stale one is refused',
      async () => {
        const p = opts.create();
        expect(p.parseNotification).toBeTypeOf('function');
        const out = await paid(p);
        const signed = await fixtures.notify?.(p, out.reference as string);
        if (!signed || !p.parseNotification) throw new Error('no notification');
        const parsed = await p.parseNotification({ ...signed, credentials });
        expect(parsed).toMatchObject({ kind: 'payment', id: signed.id, reference: out.reference });
        // A duplicate is the same notification (the gateway drops it by this id).
        expect((await p.parseNotification({ ...signed, credentials })).id).toBe(parsed.id);
        const tampered = signed.rawBody.replace(out.reference as string, 'someone_else');
        await expect(
          p.parseNotification({ ...signed, rawBody: tampered, credentials }),
        ).rejects.toThrow();
        await expect(
          p.parseNotification({
            ...signed,
            now: signed.now + (fixtures.staleAfterMs ?? 3_600_000),
            credentials,
          }),
        ).rejects.toThrow();
      },
    );
  });
}

/**
 * The suite against a processor's real test mode, when the environment holds its keys
 * (and there is network); without them it is skipped, and says which variables to set.
 *
 * @example
 * againstTestMode('stripe', ['STRIPE_TEST_SECRET_KEY'], ([sk]) => testProcessor({ … }));
 */
export function againstTestMode(
  name: string,
  variables: readonly string[],
  run: (values: string[]) => void,
) {
  const values = variables.map((v) => process.env[v] ?? '');
  if (values.every(Boolean)) return run(values);
  describe(`processor contract: ${name} (test mode, live network)`, () => {
    it.skip(`skipped: set ${variables.join(' and ')} to run it against ${name}`, () => {});
  });
}
