import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeStripe, startFakeStripe } from '@kassa/processors/testing';
import Database from 'better-sqlite3';
import Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway } from '../app.ts';
import { stripeTestKit } from '../testing/stripe.ts';
import { until } from '../testing/until.ts';
import { createAccounts } from './accounts.ts';

const fake: FakeStripe = await startFakeStripe();
afterAll(() => fake.close());

const { KEYS, gatewayWithStripe, payAtStripe, complete } = stripeTestKit(fake);

describe('Stripe through the gateway (fake Stripe API)', () => {
  let g: Awaited<ReturnType<typeof gatewayWithStripe>>;
  beforeEach(async () => {
    fake.releaseWebhooks();
    g = await gatewayWithStripe();
  });

  it('routes a connected merchant’s card payments to Stripe and tells the page to use its fields', async () => {
    const created = await g.createIntent({
      currency: 'inr',
      payment_method_types: ['card', 'upi'],
    });
    const row = await g.store.read((tx) => tx.intents.get(created.json.id));
    expect(row?.processor).toBe('stripe');
    const seen = await g.call(
      'GET',
      `/v1/client/payment_intents/${created.json.id}?client_secret=${created.json.client_secret}`,
      g.a.pk,
    );
    expect(seen.json.processor_fields).toEqual({ card: 'stripe' });
    // Merchant B never connected Stripe: the sandbox serves B's cards with Kassa's form.
    const other = await g.createIntent({}, g.b.sk);
    expect((await g.store.read((tx) => tx.intents.get(other.json.id)))?.processor).toBe('sandbox');
    // Card details sent to Kassa for a Stripe payment are refused, never forwarded.
    const direct = await g.confirm(created.json, {
      type: 'card',
      card: { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' },
    });
    expect(direct.status).toBe(400);
    expect(direct.json.error.code).toBe('payment_method_collected_by_processor');
  });

  it('the payment page allows Stripe’s documented sources on Stripe payments only', async () => {
    const stripeIntent = await g.createIntent();
    const sandboxIntent = await g.createIntent({}, g.b.sk);
    const csp = async (id: string) =>
      (await g.app.request(`/pay/${id}`)).headers.get('content-security-policy') ?? '';
    const withStripe = await csp(stripeIntent.json.id);
    // Stripe's security guide, "Content Security Policy", the Stripe.js row, exactly.
    expect(withStripe).toContain(
      "script-src 'self' https://js.stripe.com https://*.js.stripe.com https://maps.googleapis.com;",
    );
    expect(withStripe).toContain(
      "frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;",
    );
    expect(withStripe).toContain(
      "connect-src 'self' https://api.stripe.com https://maps.googleapis.com;",
    );
    expect(await csp(sandboxIntent.json.id)).not.toContain('stripe');
  });

  it('pays: the gateway asks Stripe, not the browser, and the card never reaches Kassa', async () => {
    const { json: intent } = await g.createIntent({ amount: 4200, currency: 'eur' });
    const { reference, session } = await payAtStripe(g, intent, '4242424242424242');
    expect(session.publishable_key).toBe(KEYS.test.publishable_key);
    expect(fake.paymentIntent(reference)?.metadata).toMatchObject({
      kassa_payment_intent: intent.id,
    });
    const done = await complete(g, intent);
    expect(done.json.status).toBe('succeeded');
    expect(done.json.result.order_id).toBe(intent.order_id);
    const attempt = await g.store.read((tx) => tx.attempts.byReference('stripe', reference));
    expect(attempt).toMatchObject({ status: 'succeeded', processor: 'stripe' });
    await until('Stripe’s webhook', () => fake.events.some((e) => e.delivered === 200));
    expect(await g.events(intent.id)).toEqual([
      'payment_intent.created',
      'payment_intent.succeeded',
    ]);
    // Nothing Kassa wrote holds the card number: not the log, not the notifications.
    const notifications = await g.store.read((tx) => tx.accounts.list(g.a.id));
    expect(JSON.stringify(notifications)).not.toContain('sk_test_acme');
    expect(g.logLines.join('')).not.toContain('4242424242424242');
  });

  it('a decline comes back as 402 with Stripe’s reason; a new session pays', async () => {
    const { json: intent } = await g.createIntent();
    const first = await payAtStripe(g, intent, '4000000000009995');
    expect(first.stripeStatus).toBe(402);
    const declined = await complete(g, intent);
    expect(declined.status).toBe(402);
    expect(declined.json.error.decline_code).toBe('insufficient_funds');
    expect(declined.json.error.payment_intent.status).toBe('requires_payment_method');
    const second = await payAtStripe(g, intent, '4242424242424242');
    expect(second.reference).not.toBe(first.reference);
    expect((await complete(g, intent)).json.status).toBe('succeeded');
  });

  it('the webhook before the browser and again after it: one succeeded, never backwards', async () => {
    fake.holdWebhooks();
    const { json: intent } = await g.createIntent();
    await payAtStripe(g, intent, '4242424242424242');
    await fake.releaseWebhooks();
    const byWebhook = await g.store.read((tx) => tx.intents.get(intent.id));
    expect(byWebhook?.status).toBe('succeeded');
    expect((await complete(g, intent)).json.status).toBe('succeeded');
    // Stripe sends it again (and an older one late): nothing changes.
    const last = fake.events.at(-1);
    if (!last) throw new Error('no event');
    const body = JSON.stringify(last.event);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: KEYS.test.webhook_secret,
    });
    const again = await g.call('POST', `/v1/processor_webhooks/stripe/${g.rows.test}`, null, body, {
      'stripe-signature': signature,
    });
    expect(again.json).toMatchObject({ received: true, duplicate: true });
    expect(await g.events(intent.id)).toEqual([
      'payment_intent.created',
      'payment_intent.succeeded',
    ]);
  });

  it('a webhook that is not Stripe’s (wrong secret) is refused', async () => {
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'payment_intent.succeeded',
    });
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: 'whsec_wrong',
    });
    const res = await g.call('POST', `/v1/processor_webhooks/stripe/${g.rows.test}`, null, body, {
      'stripe-signature': signature,
    });
    expect(res.status).toBe(400);
  });

  it('closing mid-payment and reopening: the same Stripe payment, or its outcome if it was paid', async () => {
    fake.holdWebhooks();
    const { json: intent } = await g.createIntent();
    const opened = async () =>
      (
        await g.call('POST', `/v1/client/payment_intents/${intent.id}/processor_session`, g.a.pk, {
          client_secret: intent.client_secret,
          payment_method_type: 'card',
        })
      ).json;
    const first = await opened();
    const again = await opened();
    expect(again.session.client_secret).toBe(first.session.client_secret);
    // Paid in Stripe's fields, then the page closed before telling the gateway.
    const paid = await payAtStripe(g, intent, '4242424242424242');
    expect(paid.session.client_secret).toBe(first.session.client_secret);
    const reopened = await opened();
    expect(reopened.session).toBeNull();
    expect(reopened.payment_intent.status).toBe('succeeded');
    await fake.releaseWebhooks();
  });

  it('refunds at Stripe exactly once, even when Stripe’s answer is lost on the way', async () => {
    const { json: intent } = await g.createIntent({ amount: 5000 });
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    await complete(g, intent);
    fake.dropResponseOnce('/v1/refunds');
    const refund = await g.call('POST', '/v1/refunds', g.a.sk, {
      payment_intent: intent.id,
      amount: 1500,
    });
    expect(refund.status).toBe(201);
    await g.worker.drain();
    const row = await g.store.read((tx) => tx.refunds.get(refund.json.id));
    expect(row?.status).toBe('succeeded');
    expect(fake.refunds(reference)).toHaveLength(1);
    expect(fake.refunds(reference)[0]?.amount).toBe(1500);
  });

  it('passes a dispute on as dispute.created and dispute.closed, each once, by the dispute’s own state', async () => {
    const { json: intent } = await g.createIntent();
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    await complete(g, intent);
    const disputeEvents = async (type: string) =>
      (await g.call('GET', `/v1/events?type=${type}`, g.a.sk)).json.data;
    const dispute = await fake.dispute(reference);
    await until(
      'the dispute to open',
      async () => (await disputeEvents('dispute.created')).length === 1,
    );
    expect((await disputeEvents('dispute.created'))[0].data.object).toMatchObject({
      object: 'dispute',
      payment_intent: intent.id,
      status: 'open',
      processor: 'stripe',
      processor_reference: dispute.id,
    });
    // An update (evidence under review) opens nothing new.
    fake.updateDispute(dispute.id, 'under_review');
    fake.updateDispute(dispute.id, 'lost');
    await until(
      'the dispute to close',
      async () => (await disputeEvents('dispute.closed')).length === 1,
    );
    const closed = (await disputeEvents('dispute.closed'))[0].data.object;
    expect(closed).toMatchObject({
      status: 'lost',
      id: (await disputeEvents('dispute.created'))[0].data.object.id,
    });
    expect(await disputeEvents('dispute.created')).toHaveLength(1);
  });

  it('dispute events out of order never reopen a closed dispute; warning_closed opens nothing twice', async () => {
    const { json: intent } = await g.createIntent();
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    await complete(g, intent);
    fake.holdWebhooks();
    const dispute = await fake.dispute(reference);
    fake.updateDispute(dispute.id, 'warning_closed');
    await fake.releaseWebhooks({ order: 'reversed', duplicate: true });
    const types = (await g.call('GET', '/v1/events?limit=100', g.a.sk)).json.data
      .map((e: { type: string }) => e.type)
      .filter((t: string) => t.startsWith('dispute.'))
      .reverse();
    expect(types).toEqual(['dispute.created', 'dispute.closed']);
    const closed = (await g.call('GET', '/v1/events?type=dispute.closed', g.a.sk)).json.data[0];
    expect(closed.data.object.status).toBe('won');
  });

  it('holds and captures part of a manual-capture payment at Stripe', async () => {
    const { json: intent } = await g.createIntent({ capture_method: 'manual', amount: 3000 });
    const { reference } = await payAtStripe(g, intent, '4242424242424242');
    expect((await complete(g, intent)).json.status).toBe('requires_capture');
    const captured = await g.call('POST', `/v1/payment_intents/${intent.id}/capture`, g.a.sk, {
      amount_to_capture: 2000,
    });
    expect(captured.json).toMatchObject({ status: 'succeeded' });
    expect(fake.paymentIntent(reference)).toMatchObject({
      status: 'succeeded',
      amount_received: 2000,
    });
  });
});

describe('live mode and credentials', () => {
  it('a live merchant with Stripe connected takes live payments; without, a clear error', async () => {
    const g = await gatewayWithStripe({ connect: ['live'] });
    const live = await g.createIntent({ payment_method_types: ['card'] }, g.a.liveSk);
    expect(live.json).toMatchObject({ livemode: true, status: 'requires_payment_method' });
    expect((await g.store.read((tx) => tx.intents.get(live.json.id)))?.processor).toBe('stripe');
    const none = await g.createIntent({}, g.b.liveSk);
    expect(none.status).toBe(400);
    expect(none.json.error.code).toBe('livemode_not_configured');
    // UPI has no live processor here: refused at create, naming the field.
    const upi = await g.createIntent(
      { currency: 'inr', payment_method_types: ['upi'] },
      g.a.liveSk,
    );
    expect(upi.json.error).toMatchObject({
      code: 'payment_method_unavailable',
      param: 'payment_method_types',
    });
  });

  it('stores credentials sealed: the database file holds no key, and another key cannot open them', async () => {
    const filename = join(mkdtempSync(join(tmpdir(), 'kassa-stripe-')), 'kassa.db');
    const g = await gatewayWithStripe({ filename, connect: ['test', 'live'] });
    await g.store.close();
    const db = new Database(filename, { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM processor_accounts').all());
    db.close();
    for (const secret of [KEYS.live.secret_key, KEYS.live.webhook_secret, KEYS.test.secret_key]) {
      expect(dump).not.toContain(secret);
    }
    expect(dump).toContain('…acme'); // the hint: the last 4, to tell keys apart
  });

  it('with another KASSA_ENCRYPTION_KEY, saved accounts are treated as absent: no 500, nothing claimed, reconciliation for all', async () => {
    const g = await gatewayWithStripe({ connect: ['test'] });
    const other = createGateway({
      store: g.store,
      processors: g.processors,
      clock: g.clock,
      logger: g.logger,
      config: { ...g.config, encryptionKey: Buffer.alloc(32, 9) },
    });
    const call = async (path: string, key: string, body?: unknown) => {
      const res = await other.app.request(path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    // Acme's Stripe account cannot be opened here: its card payments go to the sandbox.
    const intent = await call('/v1/payment_intents', g.a.sk, {
      amount: 2000,
      currency: 'usd',
      order_id: 'o_key',
    });
    expect(intent.status, JSON.stringify(intent.json)).toBe(201);
    expect(intent.json.processor_fields ?? null).toBeNull();
    const day = new Date(g.clock.now()).toISOString().slice(0, 10);
    for (const sk of [g.a.sk, g.b.sk]) {
      expect((await call('/v1/reconciliation_runs', sk, { date: day })).status).toBe(201);
    }
  });

  it('saving the same account twice at once keeps one row, and its credentials open', async () => {
    const g = await gatewayWithStripe({ connect: [] });
    const accounts = createAccounts(g);
    const stripe = g.processors.stripe as never;
    const [first, second] = await Promise.all([
      accounts.save(stripe, g.a.id, false, KEYS.test),
      accounts.save(stripe, g.a.id, false, { ...KEYS.test, webhook_secret: 'whsec_rotated' }),
    ]);
    expect(second?.id).toBe(first?.id);
    const rows = await g.store.read((tx) => tx.accounts.list(g.a.id));
    expect(rows).toHaveLength(1);
    const opened = accounts.credentialsFor(rows, 'stripe', false);
    expect(opened?.webhook_secret).toBe('whsec_rotated');
  });

  it('refuses keys of the wrong mode, a malformed key, and saving without KASSA_ENCRYPTION_KEY', async () => {
    const g = await gatewayWithStripe({ connect: [] });
    const accounts = createAccounts(g);
    const stripe = g.processors.stripe as never;
    await expect(accounts.save(stripe, g.a.id, false, KEYS.live)).rejects.toMatchObject({
      code: 'credentials_mode_mismatch',
    });
    await expect(
      accounts.save(stripe, g.a.id, false, { ...KEYS.test, secret_key: 'pk_test_oops' }),
    ).rejects.toMatchObject({ code: 'parameter_invalid', param: 'secret_key' });
    const noKey = createAccounts({ ...g, config: { ...g.config, encryptionKey: null } });
    await expect(noKey.save(stripe, g.a.id, false, KEYS.test)).rejects.toMatchObject({
      code: 'encryption_key_missing',
    });
  });
});
