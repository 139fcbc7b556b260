import { randomUUID } from 'node:crypto';
import { type FakeStripe, startFakeStripe } from '@kassa/processors/testing';
import Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../testing/harness.ts';
import { stripeTestKit } from '../testing/stripe.ts';
import { until } from '../testing/until.ts';

/*
 * A processor's message is a trigger, not a fact: every inbound Stripe event is bound to
 * the account whose secret verified it, and what moves money state is Stripe's own record,
 * asked with that account's key. And every failure Stripe produces has an end state.
 */

const fake: FakeStripe = await startFakeStripe();
afterAll(() => fake.close());
const kit = stripeTestKit(fake);
const { KEYS, OTHER_KEYS, gatewayWithStripe, payAtStripe, complete, connectOther } = kit;
/** Opens the page's Stripe session for an intent; its PaymentIntent's id at Stripe. */
const openAtStripe = async (
  g: TestGateway,
  intent: { id: string; client_secret: string },
  pk: string,
) => (await kit.openAtStripe(g, intent, pk)).reference;

/** A Stripe event as Stripe sends it, for an object of the pinned API version. */
const eventOf = (type: string, object: unknown, livemode = false) => ({
  id: `evt_${randomUUID().replaceAll('-', '')}`,
  object: 'event',
  api_version: '2026-10-28.endive',
  created: Math.floor(Date.now() / 1000),
  livemode,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
  data: { object },
});

/** Posts an event signed with `secret` to one account's webhook URL. */
function post(g: TestGateway, accountRow: string, event: object, secret: string) {
  const body = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
  return g.call('POST', `/v1/processor_webhooks/stripe/${accountRow}`, null, body, {
    'stripe-signature': signature,
  });
}

const rejected = async (g: TestGateway, reason: string) => {
  const text = await g.metrics.registry.getSingleMetricAsString(
    'kassa_processor_events_rejected_total',
  );
  const line = text.split('\n').find((l) => l.includes(`reason="${reason}"`));
  return Number(line?.split(' ').at(-1) ?? 0);
};

const disputesCreated = async (g: TestGateway, sk: string) =>
  (await g.call('GET', '/v1/events?type=dispute.created', sk)).json.data as unknown[];

const intentOf = async (g: TestGateway, id: string, sk: string) =>
  (await g.call('GET', `/v1/payment_intents/${id}`, sk)).json;

describe('a Stripe event is bound to the account that verified it', () => {
  let g: Awaited<ReturnType<typeof gatewayWithStripe>>;
  beforeEach(async () => {
    await fake.releaseWebhooks();
    g = await gatewayWithStripe({ connect: ['test', 'live'] });
  });

  it('signed with merchant A’s secret at A’s URL, naming B’s PaymentIntent: nothing changes for B, and it is counted', async () => {
    await connectOther(g);
    const { json: theirs } = await g.createIntent({ amount: 50000 }, g.b.sk);
    const reference = await openAtStripe(g, theirs, g.b.pk);
    expect(fake.accountOf(reference)).toBe('test:beta');
    const pi = { ...fake.paymentIntent(reference), status: 'succeeded', amount_received: 50000 };
    const res = await post(
      g,
      g.rows.test as string,
      eventOf('payment_intent.succeeded', pi),
      KEYS.test.webhook_secret,
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ received: true, duplicate: false, applied: false });
    // A forged dispute for B's payment, for more than it is worth, signed by A.
    const forged = {
      id: 'dp_forged',
      object: 'dispute',
      amount: 99_999_999,
      currency: 'usd',
      status: 'needs_response',
      reason: 'fraudulent',
      livemode: false,
      charge: 'ch_forged',
      payment_intent: reference,
    };
    const dispute = await post(
      g,
      g.rows.test as string,
      eventOf('charge.dispute.created', forged),
      KEYS.test.webhook_secret,
    );
    expect(dispute.json).toMatchObject({ applied: false });
    expect(await intentOf(g, theirs.id, g.b.sk)).toMatchObject({
      status: 'requires_payment_method',
    });
    expect(await g.events(theirs.id)).toEqual(['payment_intent.created']);
    expect(await disputesCreated(g, g.b.sk)).toHaveLength(0);
    expect(await rejected(g, 'other_account')).toBe(2);
    // Nothing at all was told to B.
    const other = await g.call('GET', '/v1/events', g.b.sk);
    expect(other.json.data.map((e: { type: string }) => e.type)).toEqual([
      'payment_intent.created',
    ]);
    expect(JSON.stringify(g.logLines)).not.toContain(KEYS.test.webhook_secret);
    expect(JSON.stringify(g.logLines)).not.toContain(OTHER_KEYS.secret_key);
  });

  it('a validly signed event with fields of the wrong types is a 400 to Stripe, never a 500', async () => {
    for (const object of [
      {
        id: 5,
        object: 'payment_intent',
        amount: 'x',
        currency: 'usd',
        status: 'succeeded',
        livemode: false,
      },
      {
        id: 'pi_x',
        object: 'payment_intent',
        amount: 100,
        currency: ['usd'],
        status: 'succeeded',
        livemode: false,
      },
      {
        id: 're_x',
        object: 'refund',
        amount: -1,
        currency: 'usd',
        status: 'succeeded',
        payment_intent: {},
      },
      {
        id: 'dp_x',
        object: 'dispute',
        amount: 1,
        currency: 'usd',
        status: 1,
        reason: null,
        livemode: false,
      },
    ]) {
      const type =
        object.object === 'refund'
          ? 'refund.updated'
          : object.object === 'dispute'
            ? 'charge.dispute.created'
            : 'payment_intent.succeeded';
      const res = await post(
        g,
        g.rows.test as string,
        eventOf(type, object),
        KEYS.test.webhook_secret,
      );
      expect(res.status, JSON.stringify(object)).toBe(400);
      expect(res.json.error.code).toBe('malformed_notification');
    }
  });

  it('a test-mode secret naming a live PaymentIntent (or an event that says it is live) is refused', async () => {
    const { json: live } = await g.createIntent(
      { amount: 4000, payment_method_types: ['card'] },
      g.a.liveSk,
    );
    const reference = await openAtStripe(g, live, g.a.livePk);
    expect(fake.accountOf(reference)).toBe('live:acme');
    const pi = { ...fake.paymentIntent(reference), status: 'succeeded', livemode: false };
    const asTest = await post(
      g,
      g.rows.test as string,
      eventOf('payment_intent.succeeded', pi),
      KEYS.test.webhook_secret,
    );
    expect(asTest.json).toMatchObject({ applied: false });
    const saysLive = await post(
      g,
      g.rows.test as string,
      eventOf('payment_intent.succeeded', { ...pi, livemode: true }, true),
      KEYS.test.webhook_secret,
    );
    expect(saysLive.json).toMatchObject({ applied: false });
    expect(await intentOf(g, live.id, g.a.liveSk)).toMatchObject({
      status: 'requires_payment_method',
    });
    expect(await rejected(g, 'other_mode')).toBe(2);
  });

  it('an event of the merchant’s own that Stripe’s record does not bear out moves nothing', async () => {
    const { json: intent } = await g.createIntent({ amount: 2500 });
    const reference = await openAtStripe(g, intent, g.a.pk);
    // Signed with Acme's own secret, but Stripe's PaymentIntent was never paid.
    const pi = { ...fake.paymentIntent(reference), status: 'succeeded', amount_received: 2500 };
    const res = await post(
      g,
      g.rows.test as string,
      eventOf('payment_intent.succeeded', pi),
      KEYS.test.webhook_secret,
    );
    expect(res.status).toBe(200);
    expect(await intentOf(g, intent.id, g.a.sk)).toMatchObject({
      status: 'requires_payment_method',
    });
    // A dispute Stripe has no record of is refused as unknown.
    const { json: paid } = await g.createIntent({ amount: 2500 });
    const { reference: paidRef } = await payAtStripe(g, paid, '4242424242424242');
    await complete(g, paid);
    const forged = {
      id: 'dp_nothere',
      object: 'dispute',
      amount: 2500,
      currency: 'usd',
      status: 'needs_response',
      reason: 'fraudulent',
      livemode: false,
      charge: 'ch_x',
      payment_intent: paidRef,
    };
    const dispute = await post(
      g,
      g.rows.test as string,
      eventOf('charge.dispute.created', forged),
      KEYS.test.webhook_secret,
    );
    expect(dispute.json).toMatchObject({ applied: false });
    expect(await disputesCreated(g, g.a.sk)).toHaveLength(0);
    expect(await rejected(g, 'unknown_object')).toBe(1);
  });

  it('a PaymentIntent whose amount at Stripe differs from the intent is never recorded as paid', async () => {
    const { json: intent } = await g.createIntent({ amount: 5000 });
    const reference = await openAtStripe(g, intent, g.a.pk);
    // Changed at Stripe (another integration on the same account, a replayed PaymentIntent).
    const pi = fake.paymentIntent(reference) as Stripe.PaymentIntent;
    pi.amount = 100;
    await payAtStripe(g, intent, '4242424242424242');
    const done = await complete(g, intent);
    expect(done.json.error).toMatchObject({ code: 'processor_mismatch' });
    expect(await intentOf(g, intent.id, g.a.sk)).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'processor_mismatch' },
    });
    expect(await g.events(intent.id)).toContain('payment_intent.processor_mismatch');
    expect(await g.events(intent.id)).not.toContain('payment_intent.succeeded');
    // Stripe's own webhook for it changes nothing either.
    await until('Stripe’s webhook', () =>
      fake.events.some(
        (e) =>
          e.event.data.object &&
          (e.event.data.object as { id?: string }).id === reference &&
          e.delivered === 200,
      ),
    );
    expect((await intentOf(g, intent.id, g.a.sk)).status).toBe('requires_payment_method');
    const metric = await g.metrics.registry.getSingleMetricAsString(
      'kassa_processor_mismatches_total',
    );
    expect(metric).toContain('field="amount"} 1');
    // Told once, although the page's call and Stripe's webhook both found it.
    const alerts = (await g.events(intent.id)).filter(
      (t) => t === 'payment_intent.processor_mismatch',
    );
    expect(alerts).toHaveLength(1);
    // Reconciliation lists it with Stripe's own amount and currency.
    const run = await g.call('POST', '/v1/reconciliation_runs', g.a.sk, {
      date: new Date(g.clock.now()).toISOString().slice(0, 10),
    });
    const rows = run.json.rows as { payment_intent: string; case: string; amount: number }[];
    const row = rows.find((r) => r.payment_intent === intent.id);
    expect(row).toMatchObject({ case: 'processor_mismatch', amount: 100, currency: 'USD' });
  });
});

describe('every Stripe failure has an end state', () => {
  let g: Awaited<ReturnType<typeof gatewayWithStripe>>;
  beforeEach(async () => {
    await fake.releaseWebhooks();
    fake.clearFaults();
    fake.refundsSettle('now');
    g = await gatewayWithStripe();
  });

  async function held(amount = 3000) {
    const { json: intent } = await g.createIntent({ capture_method: 'manual', amount });
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    expect((await complete(g, intent)).json.status).toBe('requires_capture');
    return { intent, reference };
  }

  it('a capture after Stripe dropped the authorization: 409 naming it, the intent canceled, nothing left claimed', async () => {
    const { intent, reference } = await held();
    fake.holdWebhooks(); // Stripe's payment_intent.canceled has not arrived yet
    fake.expireAuthorization(reference);
    const res = await g.call('POST', `/v1/payment_intents/${intent.id}/capture`, g.a.sk);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('authorization_expired');
    const after = await intentOf(g, intent.id, g.a.sk);
    expect(after).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'authorization_expired',
    });
    expect(await g.events(intent.id)).toContain('payment_intent.canceled');
    await fake.releaseWebhooks();
    // Neither a capture nor a cancel is "in progress" any more: the status says why.
    for (const op of ['capture', 'cancel']) {
      const again = await g.call('POST', `/v1/payment_intents/${intent.id}/${op}`, g.a.sk);
      expect(again.json.error.code).toBe('payment_intent_unexpected_state');
    }
    expect(fake.paymentIntent(reference)?.amount_received).toBe(0);
  });

  it('a capture Stripe does not answer (5xx on every try): 202 processing, then recovery captures once', async () => {
    const { intent, reference } = await held();
    fake.fault(`/v1/payment_intents/${reference}/capture`, { kind: 'server_error' }, { times: 3 });
    const res = await g.call('POST', `/v1/payment_intents/${intent.id}/capture`, g.a.sk, {
      amount_to_capture: 2000,
    });
    expect(res.status).toBe(202);
    expect(res.json.status).toBe('processing');
    expect(fake.paymentIntent(reference)?.status).toBe('requires_capture');
    g.clock.advance(g.config.processorTimeoutMs + 31_000);
    await g.worker.drain();
    expect(await intentOf(g, intent.id, g.a.sk)).toMatchObject({
      status: 'succeeded',
      amount_received: 2000,
    });
    expect(fake.paymentIntent(reference)).toMatchObject({
      status: 'succeeded',
      amount_received: 2000,
    });
    const captures = fake.requests.filter((r) => r.path.endsWith(`${reference}/capture`));
    expect(new Set(captures.map((r) => r.idempotencyKey)).size).toBe(1);
  });

  it('a capture whose answer is dropped after Stripe captured: the retry with the same key captures nothing twice', async () => {
    const { intent, reference } = await held();
    fake.fault(`/v1/payment_intents/${reference}/capture`, { kind: 'drop_after' });
    const res = await g.call('POST', `/v1/payment_intents/${intent.id}/capture`, g.a.sk);
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('succeeded');
    expect(fake.paymentIntent(reference)?.amount_received).toBe(3000);
    expect(fake.faultsInjected.drop_after).toBeGreaterThan(0);
  });

  it('a cancel that finds the payment captured at Stripe records the capture instead', async () => {
    const { intent, reference } = await held();
    // Captured in Stripe's dashboard, its webhook not here yet.
    fake.holdWebhooks();
    await new Stripe(KEYS.test.secret_key, fake.api).paymentIntents.capture(reference);
    const res = await g.call('POST', `/v1/payment_intents/${intent.id}/cancel`, g.a.sk);
    expect(res.status).toBe(409);
    expect(await intentOf(g, intent.id, g.a.sk)).toMatchObject({
      status: 'succeeded',
      amount_received: 3000,
    });
    await fake.releaseWebhooks();
  });

  it('refund.failed after the refund succeeded: the refund fails, the amount is refundable again, the merchant hears it', async () => {
    const { json: intent } = await g.createIntent({ amount: 5000 });
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    await complete(g, intent);
    const refund = await g.call('POST', '/v1/refunds', g.a.sk, {
      payment_intent: intent.id,
      amount: 2000,
      reason: 'requested_by_customer',
    });
    expect(refund.json.status).toBe('succeeded');
    // The reason reaches Stripe.
    expect(fake.refunds(reference)[0]?.reason).toBe('requested_by_customer');
    fake.failRefund(fake.refunds(reference)[0]?.id as string, 'expired_or_canceled_card');
    await until(
      'the refund to fail',
      async () =>
        (await g.call('GET', `/v1/refunds/${refund.json.id}`, g.a.sk)).json.status === 'failed',
    );
    expect((await intentOf(g, intent.id, g.a.sk)).amount_refunded).toBe(0);
    expect(await g.events(refund.json.id)).toEqual([
      'refund.created',
      'refund.succeeded',
      'refund.failed',
    ]);
    // And it can be refunded again.
    const again = await g.call('POST', '/v1/refunds', g.a.sk, {
      payment_intent: intent.id,
      amount: 5000,
    });
    expect(again.status).toBe(201);
  });

  it('a pending refund whose webhook never comes is swept until Stripe settles it', async () => {
    const { json: intent } = await g.createIntent({ amount: 5000 });
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    await complete(g, intent);
    fake.refundsSettle('later');
    const refund = await g.call('POST', '/v1/refunds', g.a.sk, {
      payment_intent: intent.id,
      amount: 1000,
    });
    expect(refund.json.status).toBe('pending');
    g.clock.advance(31_000);
    await g.worker.drain();
    expect((await g.call('GET', `/v1/refunds/${refund.json.id}`, g.a.sk)).json.status).toBe(
      'pending',
    );
    fake.holdWebhooks(); // its webhook is lost
    fake.settleRefund(fake.refunds(reference)[0]?.id as string, 'succeeded');
    g.clock.advance(31_000);
    await g.worker.drain();
    expect((await g.call('GET', `/v1/refunds/${refund.json.id}`, g.a.sk)).json.status).toBe(
      'succeeded',
    );
    fake.holdWebhooks();
    await fake.releaseWebhooks();
  });

  it('a refund Stripe refuses with an idempotency error ends failed with the reason, not pending', async () => {
    const { json: intent } = await g.createIntent({ amount: 5000 });
    await payAtStripe(g, intent, '4242424242424242');
    await complete(g, intent);
    fake.fault('/v1/refunds', { kind: 'idempotency_error' }, { times: 1 });
    const refund = await g.call('POST', '/v1/refunds', g.a.sk, {
      payment_intent: intent.id,
      amount: 1000,
    });
    expect(refund.json).toMatchObject({ status: 'failed' });
    expect(refund.json.failure_reason).toContain('operation id');
    expect((await intentOf(g, intent.id, g.a.sk)).amount_refunded).toBe(0);
  });

  it('a currency the Stripe account cannot take: 400 naming it at session open, and the shopper is not trapped', async () => {
    fake.setCurrencies('test:acme', ['eur']);
    try {
      const { json: intent } = await g.createIntent({ amount: 2500, currency: 'usd' });
      const opened = await g.call(
        'POST',
        `/v1/client/payment_intents/${intent.id}/processor_session`,
        g.a.pk,
        {
          client_secret: intent.client_secret,
          payment_method_type: 'card',
        },
      );
      expect(opened.status).toBe(400);
      expect(opened.json.error).toMatchObject({ code: 'processor_refused', param: 'currency' });
      expect(opened.json.error.message).toContain('usd');
      const after = await intentOf(g, intent.id, g.a.sk);
      expect(after.status).toBe('requires_payment_method');
    } finally {
      fake.setCurrencies('test:acme', null);
    }
  });

  it('a declined PaymentIntent is withdrawn at Stripe once the shopper moves on', async () => {
    const { json: intent } = await g.createIntent({ amount: 2500 });
    const { reference } = await payAtStripe(g, intent, '4000000000000002');
    const done = await complete(g, intent);
    expect(done.status).toBe(402);
    expect((await intentOf(g, intent.id, g.a.sk)).status).toBe('requires_payment_method');
    // Stripe keeps a declined PaymentIntent open for another try: Kassa's next try is a new one.
    expect(fake.paymentIntent(reference)?.status).toBe('requires_payment_method');
    await g.worker.drain();
    expect(fake.paymentIntent(reference)?.status).toBe('canceled');
  });

  it('a payment in 3-D Secure at Stripe shows requires_action, and leaving cancels it at Stripe', async () => {
    const { json: intent } = await g.createIntent({ amount: 2500 });
    const { reference } = await payAtStripe(g, intent, '4000002760003184');
    const done = await complete(g, intent);
    expect(done.json).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'three_d_secure', url: `http://gateway.test/pay/${intent.id}` },
    });
    const left = await g.call('POST', `/v1/client/payment_intents/${intent.id}/leave`, g.a.pk, {
      client_secret: intent.client_secret,
    });
    expect(left.status).toBe(200);
    await g.worker.drain();
    expect(fake.paymentIntent(reference)?.status).toBe('canceled');
  });

  it('an opening the SDK gave up on (Stripe hangs) leaves no PaymentIntent open at Stripe', async () => {
    const { json: intent } = await g.createIntent({ amount: 2500 });
    const since = fake.requests.length;
    fake.fault('/v1/payment_intents', { kind: 'drop_after' }, { times: 3, method: 'POST' });
    const opened = await g.call(
      'POST',
      `/v1/client/payment_intents/${intent.id}/processor_session`,
      g.a.pk,
      {
        client_secret: intent.client_secret,
        payment_method_type: 'card',
      },
    );
    expect(opened.status).toBe(502);
    const made = fake.requests
      .slice(since)
      .filter((r) => r.path === '/v1/payment_intents' && r.method === 'POST');
    // Every try dropped after Stripe made it: one PaymentIntent, under one key.
    expect(made.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(made.length).toBeGreaterThan(0);
    g.clock.advance(6_000);
    await g.worker.drain();
    const mine = [...new Set(made.map((r) => r.idempotencyKey))];
    expect(mine).toHaveLength(1);
    const open = fake.requests
      .slice(since)
      .filter((r) => r.path.endsWith('/cancel'))
      .map((r) => r.path.split('/')[3] as string);
    expect(open.length).toBeGreaterThan(0);
    for (const id of open) expect(fake.paymentIntent(id)?.status).toBe('canceled');
  });
});
