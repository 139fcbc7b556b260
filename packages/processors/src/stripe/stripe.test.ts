import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import type { Processor, ProcessorCredentials } from '../processor.ts';
import {
  againstTestMode,
  type ProcessorFixtures,
  type Scenario,
  testProcessor,
} from '../testing/index.ts';
import { amountProblem, fromStripeAmount, toStripeAmount } from './amounts.ts';
import { createStripeProcessor, tryTimeoutMs } from './stripe.ts';
import { type FakeStripe, startFakeStripe } from './testing/fake-stripe.ts';

/** Stripe's test PaymentMethods for each scenario of the suite. */
const METHODS: Record<Scenario, string> = {
  succeeds: 'pm_card_visa',
  declines: 'pm_card_visa_chargeDeclinedInsufficientFunds',
  threeDSecure: 'pm_card_authenticationRequired',
  settlesLater: 'pm_card_visa',
};

/**
 * Pays as the shopper would in Stripe's Payment Element: the adapter opens the
 * PaymentIntent, and the confirm happens at Stripe with a test PaymentMethod.
 */
function stripeFixtures(
  credentials: ProcessorCredentials,
  api: () => FakeStripe['api'] | undefined,
  extra: Partial<ProcessorFixtures> = {},
): ProcessorFixtures {
  const stripe = () =>
    new Stripe(credentials.secret_key as string, { ...(api() ?? {}), maxNetworkRetries: 1 });
  return {
    credentials,
    async pay(p, start, scenario) {
      const session = await p.openSession?.({ ...start, paymentMethodType: 'card', credentials });
      if (!session) throw new Error('no session');
      try {
        await stripe().paymentIntents.confirm(session.reference, {
          payment_method: METHODS[scenario],
          return_url: start.returnUrl,
        });
      } catch (err) {
        if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
      }
      return p.retrieve({
        reference: session.reference,
        amount: 2500,
        currency: 'EUR',
        credentials,
      });
    },
    ...extra,
  };
}

const fakeCredentials = {
  secret_key: 'sk_test_kassaSuite',
  publishable_key: 'pk_test_kassaSuite',
  webhook_secret: 'whsec_kassaSuite',
};

const fake: FakeStripe = await startFakeStripe();
afterAll(() => fake.close());

testProcessor({
  name: 'stripe (fake Stripe API)',
  create: () => createStripeProcessor({ api: fake.api, maxNetworkRetries: 2 }),
  fixtures: stripeFixtures(fakeCredentials, () => fake.api, {
    scenarios: ['threeDSecure'],
    async authenticate(_p, outcome, approve) {
      const pi = await fake.authenticate(outcome.reference as string, approve);
      const { outcomeOf } = await import('./outcomes.ts');
      return outcomeOf(pi);
    },
    async notify(p, reference) {
      const pi = await new Stripe(fakeCredentials.secret_key, fake.api).paymentIntents.retrieve(
        reference,
      );
      const id = `evt_suite_${reference}`;
      const rawBody = JSON.stringify({
        id,
        object: 'event',
        api_version: '2026-10-28.endive',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        type: 'payment_intent.succeeded',
        data: { object: pi },
      });
      const now = Date.now();
      const header = Stripe.webhooks.generateTestHeaderString({
        payload: rawBody,
        secret: fakeCredentials.webhook_secret,
        timestamp: Math.floor(now / 1000),
      });
      expect(p.id).toBe('stripe');
      return { id, rawBody, headers: { 'stripe-signature': header }, now };
    },
  }),
});

// Stripe's real test mode, when keys and network are there; said plainly when not.
againstTestMode('stripe', ['STRIPE_TEST_SECRET_KEY', 'STRIPE_TEST_PUBLISHABLE_KEY'], ([sk, pk]) =>
  testProcessor({
    name: 'stripe (Stripe test mode, live network)',
    create: () => createStripeProcessor(),
    fixtures: stripeFixtures(
      { secret_key: sk as string, publishable_key: pk as string, webhook_secret: 'whsec_unused' },
      () => undefined,
    ),
  }),
);

/** A payment at the fake Stripe, paid as the Payment Element would. */
const paid = (p: Processor, attemptId: string) =>
  stripeFixtures(fakeCredentials, () => fake.api).pay(
    p,
    {
      attemptId,
      intentId: `pi_${attemptId}`,
      merchantId: 'mer_adapter',
      amount: 2500,
      currency: 'EUR',
      captureMethod: 'automatic',
      returnUrl: 'https://x.example/',
    },
    'succeeds',
  );

describe('stripe adapter', () => {
  const adapter = () => createStripeProcessor({ api: fake.api, maxNetworkRetries: 2 });

  it('puts Kassa’s ids in the PaymentIntent’s metadata', async () => {
    const s = await adapter().openSession({
      attemptId: 'pa_meta',
      intentId: 'pi_meta',
      merchantId: 'mer_meta',
      amount: 1000,
      currency: 'JPY',
      captureMethod: 'automatic',
      paymentMethodType: 'card',
      returnUrl: 'https://x.example/',
      credentials: fakeCredentials,
    });
    expect(fake.paymentIntent(s.reference)).toMatchObject({
      amount: 1000,
      currency: 'jpy',
      metadata: {
        kassa_payment_intent: 'pi_meta',
        kassa_payment_attempt: 'pa_meta',
        kassa_merchant: 'mer_meta',
      },
    });
  });

  it('refunds exactly once when the answer is lost and the call is retried', async () => {
    const p = adapter() as Processor;
    const out = await paid(p, 'pa_drop');
    fake.dropResponseOnce('/v1/refunds');
    const refund = await p.refund?.({
      reference: out.reference as string,
      amount: 700,
      currency: 'EUR',
      operationId: 're_drop',
      credentials: fakeCredentials,
    });
    expect(refund?.status).toBe('succeeded');
    expect(fake.refunds(out.reference as string)).toHaveLength(1);
    const sent = fake.requests.filter(
      (r) => r.path === '/v1/refunds' && r.idempotencyKey === 're_drop',
    );
    expect(sent.length).toBe(2);
  });

  it('says which mode a merchant’s keys are for', () => {
    const p = adapter();
    expect(p.modeOfCredentials({ secret_key: 'sk_live_a', publishable_key: 'pk_live_b' })).toBe(
      'live',
    );
    expect(p.modeOfCredentials({ secret_key: 'sk_test_a', publishable_key: 'pk_test_b' })).toBe(
      'test',
    );
    expect(
      p.modeOfCredentials({ secret_key: 'sk_test_a', publishable_key: 'pk_live_b' }),
    ).toBeNull();
  });

  it('converts zero-, two- and three-decimal amounts as Stripe wants them', () => {
    expect(toStripeAmount(500, 'JPY')).toBe(500);
    expect(toStripeAmount(1999, 'EUR')).toBe(1999);
    expect(toStripeAmount(5, 'ISK')).toBe(500);
    expect(fromStripeAmount(500, 'ISK')).toBe(5);
    expect(toStripeAmount(1230, 'KWD')).toBe(1230);
    expect(amountProblem(1235, 'KWD')).toMatch(/multiple of 10/);
    expect(amountProblem(1230, 'KWD')).toBeNull();
  });

  it('builds settlement rows from balance transactions', async () => {
    const p = adapter() as Processor;
    const from = Date.now() - 60_000;
    const out = await paid(p, 'pa_settle');
    await p.refund?.({
      reference: out.reference as string,
      amount: 500,
      currency: 'EUR',
      operationId: 're_settle',
      credentials: fakeCredentials,
    });
    const rows = await p.settlementReport?.({
      from,
      to: Date.now() + 60_000,
      credentials: fakeCredentials,
    });
    const mine = rows?.filter((r) => r.reference === out.reference);
    expect(mine?.map((r) => [r.status, r.amount, r.currency])).toEqual([
      ['succeeded', 2500, 'EUR'],
    ]);
  });
});

describe('stripe adapter under Stripe’s failures', () => {
  const adapter = () => createStripeProcessor({ api: fake.api, maxNetworkRetries: 2 });
  const call = { credentials: fakeCredentials };
  const openFor = (p: Processor, attemptId: string, amount = 2500, currency = 'EUR') =>
    (p.openSession as NonNullable<Processor['openSession']>)({
      ...call,
      attemptId,
      intentId: `pi_${attemptId}`,
      merchantId: 'mer_faults',
      amount,
      currency,
      captureMethod: 'manual',
      paymentMethodType: 'card',
      returnUrl: 'https://x.example/',
    });

  it('fits every try and every backoff of stripe-node inside the call budget', () => {
    for (const [budget, retries] of [
      [30_000, 2],
      [10_000, 2],
      [5_000, 3],
      [2_000, 1],
    ] as const) {
      const each = tryTimeoutMs(budget, retries);
      let sleeps = 0;
      for (let n = 1; n <= retries; n++) sleeps += Math.min(500 * 2 ** (n - 1), 5000);
      expect(each * (retries + 1) + sleeps, `${budget} ms, ${retries} retries`).toBeLessThan(
        budget,
      );
    }
  });

  it('a Stripe that hangs is given up by the adapter itself, every try closed, as processor_unavailable', async () => {
    const p = createStripeProcessor({ api: fake.api, maxNetworkRetries: 1, callBudgetMs: 1500 });
    const since = fake.requests.length;
    fake.fault('/v1/payment_intents', { kind: 'hang' }, { times: 2, method: 'POST' });
    const err = await openFor(p, 'pa_hang').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'processor_unavailable', retryable: true });
    const tries = fake.requests.slice(since).filter((r) => r.path === '/v1/payment_intents');
    expect(tries).toHaveLength(2);
    expect(new Set(tries.map((r) => r.idempotencyKey)).size).toBe(1);
  });

  it('maps Stripe’s answers: 5xx and 429 retried then unavailable, 4xx refused with the field, idempotency errors as conflicts', async () => {
    const p = adapter() as Processor;
    fake.fault('/v1/payment_intents', { kind: 'server_error' }, { times: 3, method: 'POST' });
    expect(await openFor(p, 'pa_5xx').catch((e: unknown) => e)).toMatchObject({
      code: 'processor_unavailable',
    });
    fake.fault(
      '/v1/payment_intents',
      { kind: 'rate_limit', shouldRetry: false },
      { method: 'POST' },
    );
    expect(await openFor(p, 'pa_429').catch((e: unknown) => e)).toMatchObject({
      code: 'processor_unavailable',
    });
    expect(fake.faultsInjected.rate_limit).toBeGreaterThan(0);
    // Under Stripe's minimum: Stripe's 400, as a refusal naming the amount.
    const small = await openFor(p, 'pa_small', 10, 'USD').catch((e: unknown) => e);
    expect(small).toMatchObject({
      code: 'processor_refused',
      processorCode: 'amount_too_small',
      param: 'amount',
    });
    fake.fault('/v1/payment_intents', { kind: 'idempotency_error' }, { method: 'POST' });
    expect(await openFor(p, 'pa_idem').catch((e: unknown) => e)).toMatchObject({
      code: 'idempotency_conflict',
    });
  });

  it('asks Stripe about a refund by its id, or by Kassa’s operation id when the answer was lost', async () => {
    const p = adapter() as Processor;
    const out = await paid(p, 'pa_lookup');
    const payment = out.reference as string;
    const refund = await p.refund?.({
      ...call,
      reference: payment,
      amount: 700,
      currency: 'EUR',
      operationId: 're_lookup',
      reason: 'duplicate',
    });
    const byId = await p.retrieveRefund?.({
      ...call,
      reference: refund?.reference ?? null,
      payment,
      operationId: 're_lookup',
    });
    expect(byId).toMatchObject({
      status: 'succeeded',
      amount: 700,
      currency: 'EUR',
      payment,
      operationId: 're_lookup',
    });
    const byOp = await p.retrieveRefund?.({
      ...call,
      reference: null,
      payment,
      operationId: 're_lookup',
    });
    expect(byOp?.reference).toBe(refund?.reference);
    expect(
      await p.retrieveRefund?.({ ...call, reference: null, payment, operationId: 're_never' }),
    ).toBeNull();
    expect(fake.refunds(payment)[0]?.reason).toBe('duplicate');
  });

  it('a capture after the authorization lapsed answers failed (authorization gone), not an error', async () => {
    const p = adapter() as Processor;
    const s = await openFor(p, 'pa_lapsed');
    await new Stripe(fakeCredentials.secret_key, fake.api).paymentIntents.confirm(s.reference, {
      payment_method: 'pm_card_visa',
    });
    fake.expireAuthorization(s.reference);
    const out = await p.capture?.({
      ...call,
      reference: s.reference,
      amount: 2500,
      currency: 'EUR',
      operationId: 'cap_lapsed',
    });
    expect(out).toMatchObject({ status: 'failed', declineCode: 'authorization_expired' });
  });

  it('settlement rows carry what was captured, not what was authorised', async () => {
    const p = adapter() as Processor;
    const from = Date.now() - 60_000;
    const s = await openFor(p, 'pa_partial');
    await new Stripe(fakeCredentials.secret_key, fake.api).paymentIntents.confirm(s.reference, {
      payment_method: 'pm_card_visa',
    });
    await p.capture?.({
      ...call,
      reference: s.reference,
      amount: 1500,
      currency: 'EUR',
      operationId: 'cap_partial',
    });
    const rows = await p.settlementReport?.({ ...call, from, to: Date.now() + 60_000 });
    expect(rows?.filter((r) => r.reference === s.reference).map((r) => r.amount)).toEqual([1500]);
  });
});
