import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Stripe from 'stripe';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { STRIPE_PARAMS, startFakeStripe } from './fake-stripe.ts';

/*
 * The fake Stripe checked against Stripe itself, as the `stripe` package (pinned API
 * version) declares it: the parameters each endpoint takes, and the fields of every
 * object the fake answers with. A field Stripe adds, renames or removes breaks here.
 */

const stripeTypes = join(
  dirname(createRequire(import.meta.url).resolve('stripe')),
  '..',
  'cjs',
  'resources',
);

/** An interface's properties in the `stripe` package's declarations: name → optional. */
function declared(file: string, name: string): Map<string, boolean> {
  const path = join(stripeTypes, file);
  const source = ts.createSourceFile(
    path,
    readFileSync(path, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  let found: Map<string, boolean> | null = null;
  const visit = (node: ts.Node) => {
    if (!found && ts.isInterfaceDeclaration(node) && node.name.text === name) {
      found = new Map(
        node.members
          .filter(ts.isPropertySignature)
          .map((m) => [m.name.getText(source), m.questionToken !== undefined] as const),
      );
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) throw new Error(`no interface ${name} in stripe's ${file}`);
  return found;
}

const FILES: Record<keyof typeof STRIPE_PARAMS, string> = {
  PaymentIntentCreateParams: 'PaymentIntents.d.ts',
  PaymentIntentRetrieveParams: 'PaymentIntents.d.ts',
  PaymentIntentConfirmParams: 'PaymentIntents.d.ts',
  PaymentIntentCaptureParams: 'PaymentIntents.d.ts',
  PaymentIntentCancelParams: 'PaymentIntents.d.ts',
  RefundCreateParams: 'Refunds.d.ts',
  RefundListParams: 'Refunds.d.ts',
  RefundRetrieveParams: 'Refunds.d.ts',
  DisputeRetrieveParams: 'Disputes.d.ts',
  BalanceTransactionListParams: 'BalanceTransactions.d.ts',
  PaginationParams: '../shared.d.ts',
};

const OBJECTS = {
  payment_intent: ['PaymentIntents.d.ts', 'PaymentIntent'],
  charge: ['Charges.d.ts', 'Charge'],
  refund: ['Refunds.d.ts', 'Refund'],
  dispute: ['Disputes.d.ts', 'Dispute'],
  balance_transaction: ['BalanceTransactions.d.ts', 'BalanceTransaction'],
  event: ['Events.d.ts', 'EventBase'],
} as const;

/** Checks one answer's fields against its declared interface; counts what it checked. */
let validated = 0;
function conforms(object: Record<string, unknown>) {
  const kind = object.object as keyof typeof OBJECTS;
  const [file, name] = OBJECTS[kind] ?? [];
  if (!file || !name) throw new Error(`no declared shape for ${String(object.object)}`);
  const fields = declared(file, name);
  for (const key of Object.keys(object)) {
    expect(fields.has(key), `${name}.${key} is not a field of Stripe's ${name}`).toBe(true);
  }
  for (const [key, optional] of fields) {
    if (!optional) expect(object, `${name} lacks ${key}`).toHaveProperty(key);
  }
  validated += 1;
}

const fake = await startFakeStripe();
afterAll(() => fake.close());
const stripe = new Stripe('sk_test_shape', { ...fake.api, maxNetworkRetries: 0 });
const other = new Stripe('sk_test_someoneelse', { ...fake.api, maxNetworkRetries: 0 });

/** A raw call, to see Stripe's error body as it is sent. */
async function raw(
  method: string,
  path: string,
  form: Record<string, string>,
  key = 'sk_test_shape',
  idem?: string,
) {
  const res = await fetch(
    `${fake.url}${path}${method === 'GET' ? `?${new URLSearchParams(form)}` : ''}`,
    {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...(idem && { 'idempotency-key': idem }),
      },
      ...(method === 'GET' ? {} : { body: new URLSearchParams(form) }),
    },
  );
  return {
    status: res.status,
    json: (await res.json()) as Record<string, any>,
    replayed: res.headers.get('idempotent-replayed'),
  };
}

describe('the fake Stripe is as strict as Stripe', () => {
  it('takes exactly the parameters the stripe package declares for each endpoint', () => {
    for (const [name, params] of Object.entries(STRIPE_PARAMS)) {
      const file = FILES[name as keyof typeof STRIPE_PARAMS];
      expect([...declared(file, name).keys()].sort(), name).toEqual([...params].sort());
    }
  });

  it('refuses an unknown parameter with 400 parameter_unknown, naming it', async () => {
    const res = await raw('POST', '/v1/payment_intents', {
      amount: '2000',
      currency: 'eur',
      confirmation_method_x: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param: 'confirmation_method_x',
    });
    const refund = await raw('POST', '/v1/refunds', {
      payment_intent: 'pi_x',
      amount: '1',
      refund_reason: 'x',
    });
    expect(refund.json.error.code).toBe('parameter_unknown');
  });

  it('replays an idempotency key for the same request and refuses it for another', async () => {
    const first = await raw(
      'POST',
      '/v1/payment_intents',
      { amount: '2000', currency: 'eur' },
      'sk_test_shape',
      'idem_1',
    );
    const again = await raw(
      'POST',
      '/v1/payment_intents',
      { amount: '2000', currency: 'eur' },
      'sk_test_shape',
      'idem_1',
    );
    expect(again.json.id).toBe(first.json.id);
    expect(again.replayed).toBe('true');
    const changed = await raw(
      'POST',
      '/v1/payment_intents',
      { amount: '2500', currency: 'eur' },
      'sk_test_shape',
      'idem_1',
    );
    expect(changed.status).toBe(400);
    expect(changed.json.error.type).toBe('idempotency_error');
    // Keys are the account's: another account's same key is a request of its own.
    const theirs = await raw(
      'POST',
      '/v1/payment_intents',
      { amount: '2500', currency: 'eur' },
      'sk_test_someoneelse',
      'idem_1',
    );
    expect(theirs.status).toBe(200);
    expect(theirs.json.id).not.toBe(first.json.id);
  });

  it('refuses amounts under Stripe’s minimum charge amount', async () => {
    const res = await raw('POST', '/v1/payment_intents', { amount: '20', currency: 'gbp' });
    expect(res.json.error).toMatchObject({ code: 'amount_too_small', param: 'amount' });
    expect(
      (await raw('POST', '/v1/payment_intents', { amount: '30', currency: 'gbp' })).status,
    ).toBe(200);
  });

  it('keeps each account’s objects its own: another key gets Stripe’s 404 with its message', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur' });
    const res = await raw('GET', `/v1/payment_intents/${pi.id}`, {}, 'sk_test_someoneelse');
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such payment_intent: '${pi.id}'`,
    });
    await expect(other.paymentIntents.capture(pi.id)).rejects.toMatchObject({ statusCode: 404 });
    expect(pi.livemode).toBe(false);
    const live = new Stripe('sk_live_shape', { ...fake.api, maxNetworkRetries: 0 });
    expect((await live.paymentIntents.create({ amount: 2000, currency: 'eur' })).livemode).toBe(
      true,
    );
  });

  it('answers with objects shaped as the pinned API version declares them, and pages lists', async () => {
    const events: Record<string, unknown>[] = [];
    fake.sendWebhooksTo(
      async (body) => {
        events.push(JSON.parse(body));
        return 200;
      },
      'whsec_shape',
      'test:shape',
    );
    const pi = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'eur',
      capture_method: 'manual',
    });
    conforms(pi as never);
    const confirmed = await stripe.paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_visa',
    });
    conforms(confirmed as never);
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 2000 });
    conforms(captured as never);
    const charge = fake.charge(String(captured.latest_charge));
    expect(charge).toMatchObject({ amount: 3000, amount_captured: 2000, captured: true });
    conforms(charge as never);
    const refunds = [];
    for (let i = 0; i < 12; i++) {
      refunds.push(
        await stripe.refunds.create({
          payment_intent: pi.id,
          amount: 100,
          reason: 'requested_by_customer',
        }),
      );
    }
    for (const r of refunds) conforms(r as never);
    const first = await stripe.refunds.list({ payment_intent: pi.id });
    expect(first.data).toHaveLength(10);
    expect(first.has_more).toBe(true);
    const all = [];
    for await (const r of stripe.refunds.list({ payment_intent: pi.id, limit: 5 })) all.push(r);
    expect(all).toHaveLength(12);
    conforms((await stripe.refunds.retrieve(refunds[0]?.id as string)) as never);
    const dispute = await fake.dispute(pi.id);
    conforms((await stripe.disputes.retrieve(dispute.id)) as never);
    const txns = [];
    for await (const t of stripe.balanceTransactions.list({ limit: 3 })) txns.push(t);
    expect(txns).toHaveLength(13); // one charge, twelve refunds
    for (const t of txns) conforms(t as never);
    expect(txns.find((t) => t.type === 'charge')?.amount).toBe(2000);
    const mine = () => fake.events.filter((e) => e.account === 'test:shape');
    while (mine().some((e) => e.delivered === null) || events.length < mine().length) {
      await new Promise((r) => setImmediate(r));
    }
    expect(events.length).toBeGreaterThan(15);
    for (const e of events) conforms(e);
    // charge.refunded as Stripe now sends it: the charge without its refunds list.
    const refunded = events.find((e) => e.type === 'charge.refunded') as {
      data: { object: object };
    };
    expect(refunded.data.object).not.toHaveProperty('refunds');
    expect(validated).toBeGreaterThan(40);
    console.log(
      `fake Stripe: ${validated} answers validated against the stripe package's declared shapes`,
    );
  });

  it('injects Stripe’s failures on demand', async () => {
    fake.fault('/v1/payment_intents', { kind: 'server_error' }, { method: 'POST' });
    const five = await raw('POST', '/v1/payment_intents', { amount: '2000', currency: 'eur' });
    expect(five.status).toBe(500);
    expect(five.json.error.type).toBe('api_error');
    fake.fault(
      '/v1/payment_intents',
      { kind: 'rate_limit', shouldRetry: true },
      { method: 'POST' },
    );
    const res = await fetch(`${fake.url}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_shape',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'amount=2000&currency=eur',
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('stripe-should-retry')).toBe('true');
    fake.fault('/v1/payment_intents', { kind: 'drop_after' }, { method: 'POST' });
    const before = fake.requests.length;
    await expect(
      raw('POST', '/v1/payment_intents', { amount: '2000', currency: 'eur' }),
    ).rejects.toThrow();
    expect(fake.requests[before]?.status).toBe(0);
  });
});
