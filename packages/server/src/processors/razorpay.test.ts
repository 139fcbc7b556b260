import { startFakeRazorpay } from '@kassa/processors/fake-razorpay';
import { startFakeStripe } from '@kassa/processors/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../testing/harness.ts';
import { razorpayTestKit } from '../testing/razorpay.ts';
import { stripeTestKit } from '../testing/stripe.ts';
import { until } from '../testing/until.ts';
import { createAccounts } from './accounts.ts';

const fake = await startFakeRazorpay();
const fakeStripe = await startFakeStripe();
afterAll(() => Promise.all([fake.close(), fakeStripe.close()]));
const kit = razorpayTestKit(fake);
const { CUSTOMER } = kit;

const status = async (g: TestGateway, id: string) =>
  (await g.store.read((tx) => tx.intents.get(id)))?.status;

describe('Razorpay through the gateway (fake Razorpay API)', () => {
  it('UPI intent: the page gets Razorpay’s link unmodified; the outcome comes from Razorpay, after its webhook', async () => {
    const g = await kit.gatewayWithRazorpay();
    const created = await g.createIntent({
      amount: 49_900,
      currency: 'inr',
      payment_method_types: ['upi'],
      customer: CUSTOMER,
    });
    expect(created.status).toBe(201);
    const confirmed = await g.confirm(created.json, { type: 'upi', upi: { flow: 'intent' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.status).toBe('requires_action');
    const link = confirmed.json.next_action.upi_intent?.url ?? confirmed.json.next_action.url;
    const [payment] = fake.payments().filter((p) => link.includes(p.id));
    expect(payment?.method).toBe('upi');
    // The link is Razorpay's, as it answered (no test page stands in for the app).
    expect(link).toMatch(/^upi:\/\/pay\?pa=razorpay\.fake@icici&/);
    // The shopper approves in their app; Razorpay's webhook reaches the gateway.
    fake.approveUpi(payment?.id as string, true);
    await until(
      'the UPI payment recorded',
      async () => (await status(g, created.json.id)) === 'succeeded',
    );
    const events = await g.events(created.json.id);
    expect(events.filter((e) => e === 'payment_intent.succeeded')).toHaveLength(1);
  });

  it('UPI without the shopper’s email and phone: a 400 naming the field, nothing charged', async () => {
    const g = await kit.gatewayWithRazorpay();
    const created = await g.createIntent({
      amount: 49_900,
      currency: 'inr',
      payment_method_types: ['upi'],
    });
    const before = fake.payments().length;
    const res = await g.confirm(created.json, { type: 'upi', upi: { flow: 'intent' } });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('customer[email]');
    expect(fake.payments().length).toBe(before);
  });

  it('a card in Razorpay’s Checkout: the page gets the order and the key id, never a secret; a forged result is refused', async () => {
    const g = await kit.gatewayWithRazorpay();
    const created = await g.createIntent({ amount: 49_900, currency: 'inr', customer: CUSTOMER });
    const seen = await g.call(
      'GET',
      `/v1/client/payment_intents/${created.json.id}?client_secret=${created.json.client_secret}`,
      g.a.pk,
    );
    expect(seen.json.processor_fields).toEqual({ card: 'razorpay' });
    const { session, order, result } = await kit.payInCheckout(g, created.json, '4111111111111111');
    expect(session).toMatchObject({
      processor: 'razorpay',
      publishable_key: kit.KEYS.test.key_id,
      client_secret: order,
    });
    expect(JSON.stringify(session)).not.toContain(kit.KEYS.test.key_secret);
    if ('error' in result) throw new Error('declined');
    const forged = await kit.complete(g, created.json, {
      ...result,
      razorpay_signature: 'f'.repeat(64),
    });
    expect(forged.status).toBe(400);
    expect(forged.json.error).toMatchObject({
      code: 'processor_result_invalid',
      param: 'processor_result',
    });
    const done = await kit.complete(g, created.json, { ...result });
    expect(done.status).toBe(200);
    expect(done.json.status).toBe('succeeded');
  });

  it('a declined card in Checkout is a decline the page can word, and another try is a new order', async () => {
    const g = await kit.gatewayWithRazorpay();
    const created = await g.createIntent({ amount: 49_900, currency: 'inr' });
    const first = await kit.payInCheckout(g, created.json, '4000000000009995');
    const declined = await kit.complete(g, created.json);
    expect(declined.status).toBe(402);
    expect(declined.json.error.decline_code).toBe('insufficient_funds');
    const second = await kit.payInCheckout(g, created.json, '4111111111111111');
    expect(second.order).not.toBe(first.order);
    expect((await kit.complete(g, created.json)).json.status).toBe('succeeded');
  });

  it('holds, captures once and refunds in parts: Razorpay moves the money once per operation', async () => {
    const g = await kit.gatewayWithRazorpay();
    const created = await g.createIntent({
      amount: 49_900,
      currency: 'inr',
      capture_method: 'manual',
    });
    const { order } = await kit.payInCheckout(g, created.json, '4111111111111111');
    expect((await kit.complete(g, created.json)).json.status).toBe('requires_capture');
    // Razorpay captures whole: a partial capture is refused before Razorpay is called.
    const partial = await g.call('POST', `/v1/payment_intents/${created.json.id}/capture`, g.a.sk, {
      amount_to_capture: 10_000,
    });
    expect(partial.status).toBe(400);
    const captured = await g.call('POST', `/v1/payment_intents/${created.json.id}/capture`, g.a.sk);
    expect(captured.json.status).toBe('succeeded');
    const again = await g.call('POST', `/v1/payment_intents/${created.json.id}/capture`, g.a.sk);
    expect(again.status).toBeGreaterThanOrEqual(400);
    for (const amount of [10_000, 5_000]) {
      const refund = await g.call('POST', '/v1/refunds', g.a.sk, {
        payment_intent: created.json.id,
        amount,
      });
      expect(refund.json.status).toBe('succeeded');
    }
    const [payment] = fake.payments(order).filter((p) => p.captured);
    expect(
      fake
        .refunds(payment?.id as string)
        .map((r) => r.amount)
        .sort(),
    ).toEqual([10_000, 5_000]);
    await until('both refunds recorded', async () => {
      const row = await g.store.read((tx) => tx.intents.get(created.json.id));
      return row?.amountRefunded === 15_000;
    });
  });

  it('a Razorpay event signed by another merchant’s account never moves this merchant’s payment', async () => {
    const g = await kit.gatewayWithRazorpay();
    const otherRow = await kit.connectOther(g);
    const created = await g.createIntent({
      amount: 49_900,
      currency: 'inr',
      capture_method: 'manual',
    });
    const { order } = await kit.payInCheckout(g, created.json, '4111111111111111');
    const [payment] = fake.payments(order);
    // A well-signed event of Beta's account, naming Acme's order.
    const forged = fake.signedEvent(
      'payment.captured',
      payment?.id as string,
      kit.OTHER_KEYS.webhook_secret,
    );
    const res = await g.app.request(`/v1/processor_webhooks/razorpay/${otherRow}`, {
      method: 'POST',
      headers: forged.headers,
      body: forged.rawBody,
    });
    expect(res.status).toBeLessThan(300);
    expect(await status(g, created.json.id)).not.toBe('succeeded');
    // Unsigned, or signed with nothing the account holds: refused outright.
    const bad = await g.app.request(`/v1/processor_webhooks/razorpay/${otherRow}`, {
      method: 'POST',
      headers: { ...forged.headers, 'x-razorpay-signature': '0'.repeat(64) },
      body: forged.rawBody,
    });
    expect(bad.status).toBe(400);
  });

  it('routes per merchant and method: Stripe for cards and Razorpay for UPI when both are connected', async () => {
    const g = await kit.gatewayWithRazorpay();
    const stripe = stripeTestKit(fakeStripe);
    // Stripe's test adapter is registered in the harness; Acme saves its Stripe keys too.
    await createAccounts(g).save(g.processors.stripe as never, g.a.id, false, stripe.KEYS.test);
    const created = await g.createIntent({
      amount: 49_900,
      currency: 'inr',
      payment_method_types: ['card', 'upi'],
      customer: CUSTOMER,
    });
    const seen = await g.call(
      'GET',
      `/v1/client/payment_intents/${created.json.id}?client_secret=${created.json.client_secret}`,
      g.a.pk,
    );
    expect(seen.json.processor_fields).toEqual({ card: 'stripe' });
    const upi = await g.confirm(created.json, { type: 'upi', upi: { flow: 'intent' } });
    expect(upi.json.status).toBe('requires_action');
    const attempt = await g.store.read(async (tx) => {
      const row = await tx.intents.get(created.json.id);
      return tx.attempts.get(row?.latestAttemptId as string);
    });
    expect(attempt?.processor).toBe('razorpay');
    expect(attempt?.processorReference).toMatch(/^order_/);
  });
});
