import { afterAll, describe, expect, it } from 'vitest';
import type { ProcessorOutcome } from '../processor.ts';
import { againstTestMode, testProcessor } from '../testing/processor-suite.ts';
import { createRazorpayProcessor } from './razorpay.ts';
import { FAKE_RAZORPAY_VPAS, startFakeRazorpay } from './testing/fake-razorpay.ts';

const fake = await startFakeRazorpay();
afterAll(() => fake.close());

const credentials = {
  key_id: 'rzp_test_suite',
  key_secret: 'suiteSecret123',
  webhook_secret: 'whsecSuite1',
};
const other = {
  key_id: 'rzp_test_other',
  key_secret: 'otherSecret123',
  webhook_secret: 'whsecOther1',
};
fake.addAccount(credentials.key_id, credentials.key_secret);
fake.addAccount(other.key_id, other.key_secret);

const create = () => createRazorpayProcessor({ api: fake.url, callBudgetMs: 3000 });
const customer = { email: 'asha@example.in', phone: '+919876543210' };
const CARDS = { succeeds: '4111111111111111', declines: '4000000000009995' };

let n = 0;
const start = (over: Partial<{ captureMethod: 'automatic' | 'manual'; amount: number }> = {}) => ({
  attemptId: `pa_rzp_${Date.now().toString(36)}_${++n}`,
  intentId: `pi_rzp_${n}`,
  merchantId: 'mer_rzp',
  amount: over.amount ?? 49_900,
  currency: 'INR',
  captureMethod: over.captureMethod ?? ('automatic' as const),
  returnUrl: 'https://shop.example/return',
  credentials,
});
const upi = (flow: 'intent' | 'collect', vpa?: string) => ({
  type: 'upi' as const,
  upi: flow === 'intent' ? { flow } : { flow, vpa: vpa as string },
});
const money = (o: ProcessorOutcome, amount = 49_900) => ({
  reference: o.reference as string,
  amount,
  currency: 'INR',
  credentials,
});

testProcessor({
  name: 'razorpay',
  create,
  fixtures: {
    credentials,
    currency: 'INR',
    scenarios: ['succeeds', 'declines', 'settlesLater'],
    // Razorpay signs no timestamp and retries for 24 hours: older than 26 is refused.
    staleAfterMs: 27 * 3_600_000,
    async pay(p, s, scenario) {
      if (scenario === 'settlesLater') {
        return (p.authorize as NonNullable<typeof p.authorize>)({
          ...s,
          credentials,
          customer,
          paymentMethod: upi('collect', FAKE_RAZORPAY_VPAS.succeeds),
        });
      }
      // The shopper pays the order in Razorpay's Checkout; the gateway then asks Razorpay.
      const session = await (p.openSession as NonNullable<typeof p.openSession>)({
        ...s,
        credentials,
        paymentMethodType: 'card',
      });
      await fake.checkout(
        session.reference,
        credentials.key_id,
        CARDS[scenario as 'succeeds' | 'declines'],
      );
      return p.retrieve({ ...s, reference: session.reference, credentials });
    },
    settle: () => fake.settleUpi(),
    async notify(_p, reference) {
      const [payment] = fake.payments(reference);
      if (!payment) throw new Error(`no payment for ${reference}`);
      return {
        ...fake.signedEvent('payment.captured', payment.id, credentials.webhook_secret),
        now: Date.now(),
      };
    },
  },
});

// Razorpay's real test mode, when keys and network are there; said plainly when not. A card
// needs Checkout in a browser, so here the shopper pays by UPI collect to Razorpay's test
// VPAs (the account needs Razorpay's S2S UPI enabled), and the suite waits for Razorpay.
againstTestMode(
  'razorpay',
  ['RAZORPAY_TEST_KEY_ID', 'RAZORPAY_TEST_KEY_SECRET'],
  ([keyId, keySecret]) => {
    const liveKeys = {
      key_id: keyId as string,
      key_secret: keySecret as string,
      webhook_secret: 'unusedLiveHook1',
    };
    testProcessor({
      name: 'razorpay (Razorpay test mode, live network)',
      create: () => createRazorpayProcessor(),
      fixtures: {
        credentials: liveKeys,
        currency: 'INR',
        scenarios: ['succeeds', 'declines'],
        async pay(p, s, scenario) {
          let out = await (p.authorize as NonNullable<typeof p.authorize>)({
            ...s,
            credentials: liveKeys,
            customer,
            paymentMethod: upi(
              'collect',
              scenario === 'succeeds' ? 'success@razorpay' : 'failure@razorpay',
            ),
          });
          // Razorpay decides a test VPA's payment within seconds: wait for it, not a timer.
          const deadline = Date.now() + 60_000;
          while (out.status === 'processing' && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 1000));
            out = await p.retrieve({
              ...s,
              reference: out.reference as string,
              credentials: liveKeys,
            });
          }
          return out;
        },
      },
    });
  },
);

describe('razorpay: orders, UPI and Checkout as Razorpay documents them', () => {
  it('opens one order per attempt, with the attempt as receipt and Kassa’s ids in its notes', async () => {
    const p = create();
    const s = start({ captureMethod: 'manual' });
    const first = await p.openSession({ ...s, paymentMethodType: 'card' });
    const again = await p.openSession({ ...s, paymentMethodType: 'card' });
    expect(again.reference).toBe(first.reference);
    expect(first.page).toEqual({
      publishableKey: credentials.key_id,
      clientSecret: first.reference,
    });
    const order = fake.order(first.reference);
    expect(order).toMatchObject({
      amount: 49_900,
      currency: 'INR',
      receipt: s.attemptId,
      notes: {
        kassa_payment_intent: s.intentId,
        kassa_payment_attempt: s.attemptId,
        kassa_merchant: 'mer_rzp',
        kassa_capture: 'manual',
      },
    });
    expect(fake.orders().filter((o) => o.receipt === s.attemptId)).toHaveLength(1);
  });

  it('UPI intent: Razorpay’s upi:// link comes back unmodified, and the app’s answer decides', async () => {
    const p = create();
    const s = start();
    const out = await p.authorize?.({ ...s, customer, paymentMethod: upi('intent') });
    if (out?.status !== 'requires_action') throw new Error(`got ${out?.status}`);
    const [payment] = fake.payments(out.reference);
    const link = out.action.url as string;
    expect(link.startsWith('upi://pay?')).toBe(true);
    expect(link).toContain(`tr=${payment?.id}`);
    expect(out.action.testUrl).toBeUndefined();
    expect((await p.retrieve(money(out))).status).toBe('processing');
    fake.approveUpi(payment?.id as string, true);
    expect(await p.retrieve(money(out))).toMatchObject({
      status: 'succeeded',
      facts: {
        amount: 49_900,
        currency: 'INR',
        amountReceived: 49_900,
        kassa: { attempt: s.attemptId },
      },
    });
  });

  it('UPI declined in the app is a decline a shopper can read', async () => {
    const p = create();
    const out = await p.authorize?.({ ...start(), customer, paymentMethod: upi('intent') });
    const [payment] = fake.payments(out?.reference ?? undefined);
    fake.approveUpi(payment?.id as string, false);
    expect(await p.retrieve(money(out as ProcessorOutcome))).toMatchObject({
      status: 'failed',
      declineCode: 'upi_declined',
    });
  });

  it('a repeated collect is one request to the shopper’s app, and a paid order takes no second payment', async () => {
    const p = create();
    const s = start();
    const method = upi('collect', FAKE_RAZORPAY_VPAS.succeeds);
    const first = await p.authorize?.({ ...s, customer, paymentMethod: method });
    const again = await p.authorize?.({ ...s, customer, paymentMethod: method });
    expect(again?.reference).toBe(first?.reference);
    expect(fake.payments(first?.reference ?? undefined)).toHaveLength(1);
    fake.settleUpi();
    const late = await p.authorize?.({ ...s, customer, paymentMethod: upi('intent') });
    expect(late?.status).toBe('succeeded');
    expect(fake.payments(first?.reference ?? undefined)).toHaveLength(1);
  });

  it('refuses UPI without the shopper’s email and phone, or outside INR, naming the field', async () => {
    const p = create();
    await expect(p.authorize?.({ ...start(), paymentMethod: upi('intent') })).rejects.toMatchObject(
      {
        code: 'processor_refused',
        param: 'customer[email]',
      },
    );
    await expect(
      p.authorize?.({ ...start(), currency: 'USD', customer, paymentMethod: upi('intent') }),
    ).rejects.toMatchObject({ code: 'processor_refused', param: 'currency' });
  });

  it('captures a held payment once: a repeat answers as the first did', async () => {
    const p = create();
    const session = await p.openSession({
      ...start({ captureMethod: 'manual' }),
      paymentMethodType: 'card',
    });
    await fake.checkout(session.reference, credentials.key_id, CARDS.succeeds);
    const held = await p.retrieve({
      ...money({ status: 'pending', reference: session.reference }),
    });
    expect(held.status).toBe('authorized');
    const op = { ...money(held), operationId: 'pi_x_capture' };
    const captured = await p.capture?.(op);
    expect(captured?.status).toBe('succeeded');
    expect(await p.capture?.(op)).toEqual(captured);
    expect(fake.payments(session.reference).filter((x) => x.captured)).toHaveLength(1);
  });

  it('a lapsed authorisation (Razorpay’s own refund of it) is failed, never paid', async () => {
    const p = create();
    const session = await p.openSession({
      ...start({ captureMethod: 'manual' }),
      paymentMethodType: 'card',
    });
    await fake.checkout(session.reference, credentials.key_id, CARDS.succeeds);
    const [payment] = fake.payments(session.reference);
    fake.expireAuthorization(payment?.id as string);
    const ref = money({ status: 'pending', reference: session.reference });
    expect(await p.retrieve(ref)).toMatchObject({
      status: 'failed',
      declineCode: 'authorization_expired',
    });
    expect(await p.capture?.({ ...ref, operationId: 'pi_y_capture' })).toMatchObject({
      status: 'failed',
    });
    // Razorpay tells it as a refund of the uncaptured payment: news of the payment for Kassa.
    const hook = fake.signedEvent(
      'refund.processed',
      payment?.id as string,
      credentials.webhook_secret,
    );
    expect(await p.parseNotification({ ...hook, credentials, now: Date.now() })).toMatchObject({
      kind: 'payment',
      reference: session.reference,
      outcome: { status: 'failed', declineCode: 'authorization_expired' },
    });
  });

  it('a refund whose answer was lost is made once: the retry carries the same idempotency key', async () => {
    const p = create();
    const session = await p.openSession({ ...start(), paymentMethodType: 'card' });
    await fake.checkout(session.reference, credentials.key_id, CARDS.succeeds);
    const [payment] = fake.payments(session.reference);
    const op = {
      ...money({ status: 'pending', reference: session.reference }, 10_000),
      operationId: 're_lost_1',
    };
    fake.fault(`/v1/payments/${payment?.id}/refund`, { kind: 'drop_after' });
    const first = await p.refund?.(op);
    expect(first).toMatchObject({
      status: 'succeeded',
      reference: expect.stringMatching(/^rfnd_/),
    });
    expect(fake.refunds(payment?.id as string)).toHaveLength(1);
    const keys = fake.requests
      .filter((r) => r.path.endsWith('/refund'))
      .slice(-2)
      .map((r) => r.idempotencyKey);
    expect(keys).toEqual(['kassa_re_lost_1', 'kassa_re_lost_1']);
    // Found again by its operation id when no reference was kept.
    expect(
      await p.retrieveRefund?.({
        credentials,
        reference: null,
        payment: session.reference,
        operationId: 're_lost_1',
      }),
    ).toMatchObject({
      reference: first?.reference,
      amount: 10_000,
      operationId: 're_lost_1',
      payment: session.reference,
    });
    // More than is left is Razorpay's refusal, final.
    expect(await p.refund?.({ ...op, amount: 49_900, operationId: 're_too_much' })).toMatchObject({
      status: 'failed',
    });
  });

  it('checks Checkout’s payment signature: a forged one is refused', async () => {
    const p = create();
    const session = await p.openSession({ ...start(), paymentMethodType: 'card' });
    const paid = await fake.checkout(session.reference, credentials.key_id, CARDS.succeeds);
    if ('error' in paid) throw new Error('declined');
    const check = (result: Record<string, string>) =>
      p.verifySessionResult({ credentials, reference: session.reference, result });
    expect(check({ ...paid })).toBe(true);
    expect(check({ ...paid, razorpay_signature: '0'.repeat(64) })).toBe(false);
    expect(check({ ...paid, razorpay_order_id: 'order_other' })).toBe(false);
    expect(check({})).toBe(true);
  });

  it('another account’s order is unknown to this one, as Razorpay answers', async () => {
    const p = create();
    const session = await p.openSession({ ...start(), paymentMethodType: 'card' });
    await expect(
      p.retrieve({
        ...money({ status: 'pending', reference: session.reference }),
        credentials: other,
      }),
    ).rejects.toMatchObject({ code: 'processor_refused', processorCode: 'resource_missing' });
  });

  it('a wrong key secret is the merchant’s keys refused; a 5xx that passes is retried', async () => {
    const p = create();
    await expect(
      p.openSession({
        ...start(),
        paymentMethodType: 'card',
        credentials: { ...credentials, key_secret: 'wrongSecret1' },
      }),
    ).rejects.toMatchObject({ code: 'credentials_invalid' });
    fake.fault('/v1/orders', { kind: 'server_error' }, { method: 'GET' });
    const session = await p.openSession({ ...start(), paymentMethodType: 'card' });
    expect(session.reference).toMatch(/^order_/);
    fake.fault('/v1/orders', { kind: 'hang' }, { method: 'GET', times: 5 });
    await expect(
      createRazorpayProcessor({ api: fake.url, callBudgetMs: 600 }).openSession({
        ...start(),
        paymentMethodType: 'card',
      }),
    ).rejects.toMatchObject({ code: 'processor_unavailable' });
    fake.clearFaults();
  });

  it('maps refund and dispute webhooks to Kassa’s notifications, by the order', async () => {
    const p = create();
    const session = await p.openSession({ ...start(), paymentMethodType: 'card' });
    await fake.checkout(session.reference, credentials.key_id, CARDS.succeeds);
    const [payment] = fake.payments(session.reference);
    const received: { body: string; headers: Record<string, string> }[] = [];
    fake.sendWebhooksTo(
      async (body, headers) => {
        received.push({ body, headers });
        return 200;
      },
      credentials.webhook_secret,
      'test:suite',
    );
    await p.refund?.({
      ...money({ status: 'pending', reference: session.reference }, 5_000),
      operationId: 're_hook_1',
    });
    fake.dispute(payment?.id as string, 'lost');
    await new Promise((r) => setImmediate(r));
    const parsed = await Promise.all(
      received.map((r) =>
        p.parseNotification({ credentials, headers: r.headers, rawBody: r.body, now: Date.now() }),
      ),
    );
    expect(parsed.map((x) => x.kind)).toEqual(['refund', 'refund', 'dispute', 'dispute']);
    expect(parsed[1]).toMatchObject({
      kind: 'refund',
      reference: session.reference,
      operationId: 're_hook_1',
      refund: { status: 'succeeded' },
    });
    expect(parsed[3]).toMatchObject({
      kind: 'dispute',
      reference: session.reference,
      dispute: { status: 'lost' },
    });
    const d = parsed[3] as { dispute: { reference: string } };
    expect(
      await p.retrieveDispute?.({ credentials, reference: d.dispute.reference }),
    ).toMatchObject({
      status: 'lost',
      payment: session.reference,
    });
    // Signed with another account's secret: refused.
    await expect(
      p.parseNotification({
        credentials: other,
        ...received[0],
        rawBody: received[0]?.body as string,
        headers: received[0]?.headers as Record<string, string>,
        now: Date.now(),
      }),
    ).rejects.toMatchObject({ code: 'invalid_signature' });
  });
});

describe('the fake Razorpay is as strict as Razorpay', () => {
  const call = (method: string, path: string, body?: unknown, auth = credentials) =>
    fetch(`${fake.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.key_id}:${auth.key_secret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as { error: Record<string, string> },
    }));

  it('refuses a parameter Razorpay does not take, naming it', async () => {
    const res = await call('POST', '/v1/orders', { amount: 1000, currency: 'INR', metadata: {} });
    expect(res).toMatchObject({
      status: 400,
      json: {
        error: {
          code: 'BAD_REQUEST_ERROR',
          field: 'metadata',
          description: 'metadata is/are not required and should not be sent',
        },
      },
    });
  });

  it('refuses amounts under ₹1, long receipts and too many notes', async () => {
    expect(
      (await call('POST', '/v1/orders', { amount: 99, currency: 'INR' })).json.error.field,
    ).toBe('amount');
    expect(
      (await call('POST', '/v1/orders', { amount: 100, currency: 'INR', receipt: 'r'.repeat(41) }))
        .json.error.field,
    ).toBe('receipt');
    const notes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
    expect(
      (await call('POST', '/v1/orders', { amount: 100, currency: 'INR', notes })).json.error.field,
    ).toBe('notes');
  });

  it('answers 401 to a wrong secret, with Razorpay’s words', async () => {
    const res = await call('GET', '/v1/orders', undefined, { ...credentials, key_secret: 'nope' });
    expect(res).toMatchObject({
      status: 401,
      json: { error: { description: 'Authentication failed' } },
    });
  });

  it('refuses a refund’s idempotency key reused with another body', async () => {
    const p = create();
    const session = await p.openSession({ ...start(), paymentMethodType: 'card' });
    await fake.checkout(session.reference, credentials.key_id, CARDS.succeeds);
    const [payment] = fake.payments(session.reference);
    const refund = (amount: number) =>
      fetch(`${fake.url}/v1/payments/${payment?.id}/refund`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.key_id}:${credentials.key_secret}`).toString('base64')}`,
          'content-type': 'application/json',
          'x-refund-idempotency': 'same-key-123',
        },
        body: JSON.stringify({ amount }),
      }).then((r) => r.json() as Promise<{ id?: string; error: { description: string } }>);
    const first = await refund(1000);
    expect((await refund(1000)).id).toBe(first.id);
    expect((await refund(2000)).error.description).toMatch(/same idempotency key/);
  });
});
