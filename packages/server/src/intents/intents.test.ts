import { beforeEach, describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

const seedHeaders = (g: TestGateway) => ({ 'x-api-key': g.a.pk, 'x-api-secret': g.a.sk });

describe('POST /v1/payment_intents', () => {
  it('creates an intent with a client secret, a checkout URL and a 30-minute expiry', async () => {
    const res = await g.createIntent({ description: 'Two coffees', metadata: { cart: '42' } });
    expect(res.status).toBe(201);
    const pi = res.json;
    expect(pi).toMatchObject({
      object: 'payment_intent',
      amount: 1999,
      currency: 'USD',
      status: 'requires_payment_method',
      description: 'Two coffees',
      metadata: { cart: '42' },
      capture_method: 'automatic',
      // Dollars: no UPI, which moves rupees only.
      payment_method_types: ['card'],
      livemode: false,
    });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    expect(pi.checkout_url).toBe(`http://gateway.test/pay/${pi.id}#${pi.client_secret}`);
    expect(pi.expires_at - pi.created).toBe(30 * 60);
    expect(await g.events(pi.id)).toEqual(['payment_intent.created']);
  });

  it('offers UPI for rupees only: left out of other currencies, refused when asked for, naming the field', async () => {
    expect((await g.createIntent({ currency: 'inr' })).json.payment_method_types).toEqual([
      'card',
      'upi',
    ]);
    expect((await g.createIntent({ currency: 'kwd' })).json.payment_method_types).toEqual(['card']);
    const asked = await g.createIntent({ currency: 'usd', payment_method_types: ['upi'] });
    expect([asked.status, asked.json.error.code, asked.json.error.param]).toEqual([
      400,
      'payment_method_unavailable',
      'payment_method_types',
    ]);
    expect(asked.json.error.message).toContain('INR only');
    // Confirmed at once with a UPI collect request (seed 002's flow): the currency is wrong.
    const atOnce = await g.createIntent({
      currency: 'usd',
      confirm: true,
      payment_method: { type: 'upi', upi: { flow: 'collect', vpa: 'test@upi' } },
    });
    expect([atOnce.status, atOnce.json.error.param]).toEqual([400, 'currency']);
    // A dollar intent's page cannot be paid by UPI either.
    const usd = (await g.createIntent()).json;
    const byUpi = await g.confirm(usd, { type: 'upi', upi: { flow: 'intent' } });
    expect(byUpi.status).toBe(400);
    expect((await g.store.read((tx) => tx.attempts.ofIntent(usd.id))).length).toBe(0);
  });

  it('takes the currency exponent from Intl: JPY has none, KWD has three', async () => {
    expect((await g.createIntent({ amount: 500, currency: 'jpy' })).status).toBe(201);
    expect((await g.createIntent({ amount: 1250, currency: 'KWD' })).status).toBe(201);
    const bad = await g.createIntent({ currency: 'XYZ' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ param: 'currency', type: 'invalid_request_error' });
  });

  it('sets expires_in within bounds', async () => {
    const res = await g.createIntent({ expires_in: 120 });
    expect(res.json.expires_at - res.json.created).toBe(120);
    const tooShort = await g.createIntent({ expires_in: 5 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.json.error.param).toBe('expires_in');
  });

  it.each([
    [{ amount: 10.5 }, 'amount'],
    [{ amount: -1 }, 'amount'],
    [{ amount: '100' }, 'amount'],
    [{ amount: 100_000_000 }, 'amount'],
    [{ order_id: '' }, 'order_id'],
    [{ capture_method: 'later' }, 'capture_method'],
    [{ payment_method_types: ['cash'] }, 'payment_method_types[0]'],
    [{ customer: { email: 'not-an-email' } }, 'customer[email]'],
    [{ return_url: 'javascript:alert(1)' }, 'return_url'],
    [{ surprise: 1 }, 'surprise'],
  ])('refuses %j with a 400 naming %s', async (fields, param) => {
    const before = await g.call('GET', '/v1/payment_intents', g.a.sk);
    const res = await g.createIntent(fields);
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe(param);
    expect(res.json.error.request_id).toMatch(/^req_/);
    const after = await g.call('GET', '/v1/payment_intents', g.a.sk);
    expect(after.json.data.length).toBe(before.json.data.length);
  });

  it('names a missing field as missing', async () => {
    const res = await g.call('POST', '/v1/payment_intents', g.a.sk, {
      currency: 'usd',
      order_id: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
  });

  it('answers malformed JSON 400, a wrong content type 415 and an oversized body 413', async () => {
    const bad = await g.call('POST', '/v1/payment_intents', g.a.sk, '{"amount": 1', {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_json');
    const form = await g.call('POST', '/v1/payment_intents', g.a.sk, 'amount=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const big = await g.createIntent({ description: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('body_too_large');
  });

  it('needs a valid secret key', async () => {
    expect((await g.createIntent({}, '')).status).toBe(401);
    const wrong = await g.createIntent({}, 'sk_test_doesnotexist');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.type).toBe('authentication_error');
    const publishable = await g.createIntent({}, g.a.pk);
    expect(publishable.status).toBe(401);
    expect(publishable.json.error.code).toBe('secret_key_required');
  });

  it('accepts the key as HTTP Basic user name, as curl -u does', async () => {
    const res = await g.call('GET', '/v1/payment_intents', null, undefined, {
      authorization: `Basic ${Buffer.from(`${g.a.sk}:`).toString('base64')}`,
    });
    expect(res.status).toBe(200);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await g.call('GET', '/v1/nothing_here', g.a.sk);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('route_not_found');
  });

  it('answers a known path with the wrong method 405 and Allow, on /v1 and seed 002', async () => {
    const del = await g.call('DELETE', '/v1/payment_intents', g.a.sk);
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(del.json.error.code).toBe('method_not_allowed');
    const put = await g.call('PUT', '/v1/refunds/re_123', g.a.sk);
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    const seed = await g.call('GET', '/api/v1/payments', null, undefined, seedHeaders(g));
    expect(seed.status).toBe(405);
    expect(seed.headers.get('allow')).toBe('POST');
    const missing = await g.call('GET', '/api/v1/nothing_here', null, undefined, seedHeaders(g));
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('route_not_found');
    const text = await g.call('POST', '/api/v1/payments', null, 'amount=1', {
      ...seedHeaders(g),
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    expect(text.json.error.code).toBe('unsupported_media_type');
  });
});

describe('order_id', () => {
  it('returns the open intent when the same order comes again with the same amount', async () => {
    const first = await g.createIntent({ order_id: 'ORDER_1' });
    const again = await g.createIntent({ order_id: 'ORDER_1' });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
  });

  it('refuses the same order with another amount or currency (409)', async () => {
    await g.createIntent({ order_id: 'ORDER_2' });
    const other = await g.createIntent({ order_id: 'ORDER_2', amount: 2500 });
    expect(other.status).toBe(409);
    expect(other.json.error).toMatchObject({ code: 'order_id_conflict', param: 'order_id' });
    const currency = await g.createIntent({ order_id: 'ORDER_2', currency: 'EUR' });
    expect(currency.status).toBe(409);
  });

  it('allows a new intent once the old one is canceled, but never a second for a paid order', async () => {
    const first = await g.createIntent({ order_id: 'ORDER_3' });
    await g.call('POST', `/v1/payment_intents/${first.json.id}/cancel`, g.a.sk);
    const second = await g.createIntent({ order_id: 'ORDER_3' });
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(first.json.id);
    await g.confirm(second.json, {
      type: 'card',
      card: { number: '4242424242424242', exp_month: 1, exp_year: 2030, cvc: '123' },
    });
    const third = await g.createIntent({ order_id: 'ORDER_3' });
    expect(third.status).toBe(200);
    expect(third.json).toMatchObject({ id: second.json.id, status: 'succeeded' });
  });

  it('is scoped to the merchant', async () => {
    const mine = await g.createIntent({ order_id: 'SHARED' });
    const theirs = await g.createIntent({ order_id: 'SHARED' }, g.b.sk);
    expect(theirs.status).toBe(201);
    expect(theirs.json.id).not.toBe(mine.json.id);
  });
});

describe('GET /v1/payment_intents', () => {
  it('pages newest first with starting_after and ending_before', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await g.createIntent()).json.id);
      g.clock.advance(1000);
    }
    const newest = [...ids].reverse();
    const p1 = await g.call('GET', '/v1/payment_intents?limit=2', g.a.sk);
    expect(p1.json.data.map((d: { id: string }) => d.id)).toEqual(newest.slice(0, 2));
    expect(p1.json.has_more).toBe(true);
    const p2 = await g.call(
      'GET',
      `/v1/payment_intents?limit=2&starting_after=${newest[1]}`,
      g.a.sk,
    );
    expect(p2.json.data.map((d: { id: string }) => d.id)).toEqual(newest.slice(2, 4));
    const p3 = await g.call(
      'GET',
      `/v1/payment_intents?limit=2&starting_after=${newest[3]}`,
      g.a.sk,
    );
    expect(p3.json.data.map((d: { id: string }) => d.id)).toEqual(newest.slice(4));
    expect(p3.json.has_more).toBe(false);
    const back = await g.call(
      'GET',
      `/v1/payment_intents?limit=2&ending_before=${newest[4]}`,
      g.a.sk,
    );
    expect(back.json.data.map((d: { id: string }) => d.id)).toEqual(newest.slice(2, 4));
  });

  it('filters by status, order_id and created range', async () => {
    const a = await g.createIntent({ order_id: 'F1' });
    g.clock.advance(10_000);
    const b = await g.createIntent({ order_id: 'F2' });
    await g.call('POST', `/v1/payment_intents/${b.json.id}/cancel`, g.a.sk);
    const ids = async (q: string) =>
      (await g.call('GET', `/v1/payment_intents?${q}`, g.a.sk)).json.data.map(
        (d: { id: string }) => d.id,
      );
    expect(await ids('status=canceled')).toEqual([b.json.id]);
    expect(await ids('order_id=F1')).toEqual([a.json.id]);
    expect(await ids(`created[lte]=${a.json.created}`)).toEqual([a.json.id]);
    expect(await ids(`created[gte]=${b.json.created}`)).toEqual([b.json.id]);
    const bad = await g.call('GET', '/v1/payment_intents?status=paid', g.a.sk);
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('status');
  });

  it("filters by the latest attempt's method, currency and amount range", async () => {
    const byCard = (await g.createIntent({ amount: 1_000, currency: 'INR' })).json;
    await g.confirm(byCard, card(CARDS.ok));
    const byUpi = (await g.createIntent({ amount: 5_000, currency: 'INR' })).json;
    await g.confirm(byUpi, { type: 'upi', upi: { vpa: 'success@kassa' } });
    const dollars = (await g.createIntent({ amount: 5_000, currency: 'USD' })).json;
    const ids = async (q: string) =>
      (await g.call('GET', `/v1/payment_intents?${q}`, g.a.sk)).json.data.map(
        (d: { id: string }) => d.id,
      );
    expect(await ids('payment_method_type=card')).toEqual([byCard.id]);
    expect(await ids('payment_method_type=upi')).toEqual([byUpi.id]);
    expect(await ids('currency=usd')).toEqual([dollars.id]);
    expect(await ids('amount[gte]=5000')).toEqual([dollars.id, byUpi.id]);
    expect(await ids('amount[gte]=1000&amount[lte]=4999')).toEqual([byCard.id]);
    for (const [q, param] of [
      ['payment_method_type=cash', 'payment_method_type'],
      ['amount[gte]=-1', 'amount[gte]'],
      ['amount[lte]=ten', 'amount[lte]'],
      ['currency=XYZ', 'currency'],
    ]) {
      const bad = await g.call('GET', `/v1/payment_intents?${q}`, g.a.sk);
      expect(bad.status, q).toBe(400);
      expect(bad.json.error.param, q).toBe(param);
    }
  });

  it("never shows another merchant's intents, nor test data to live keys", async () => {
    await g.createIntent();
    const theirs = await g.call('GET', '/v1/payment_intents', g.b.sk);
    expect(theirs.json.data).toEqual([]);
    const live = await g.call('GET', '/v1/payment_intents', g.a.liveSk);
    expect(live.json.data).toEqual([]);
  });
});

describe('cross-merchant access', () => {
  it("answers 404 for another merchant's intent on every route", async () => {
    const pi = (await g.createIntent()).json;
    for (const [method, path] of [
      ['GET', `/v1/payment_intents/${pi.id}`],
      ['POST', `/v1/payment_intents/${pi.id}/cancel`],
      ['POST', `/v1/payment_intents/${pi.id}/capture`],
    ] as const) {
      const res = await g.call(method, path, g.b.sk);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error.code).toBe('resource_missing');
    }
    expect((await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json.status).toBe(
      'requires_payment_method',
    );
  });
});
