import { beforeEach, describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

const get = async (id: string) => (await g.call('GET', `/v1/payment_intents/${id}`, g.a.sk)).json;

describe('confirming a payment', () => {
  it('succeeds with 4242 and keeps only brand, last 4, expiry and a fingerprint', async () => {
    const pi = (await g.createIntent()).json;
    const res = await g.confirm(pi, card(CARDS.ok));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ object: 'client_payment_intent', status: 'succeeded' });
    const after = await get(pi.id);
    expect(after).toMatchObject({ status: 'succeeded', amount_received: 1999 });
    const attempt = await g.store.read((tx) => tx.attempts.get(after.latest_attempt));
    expect(attempt).toMatchObject({
      cardBrand: 'visa',
      cardLast4: '4242',
      cardExpYear: 2031,
      status: 'succeeded',
    });
    expect(attempt?.cardFingerprint).toMatch(/^[\w-]{16}$/);
    expect(await g.events(pi.id)).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
  });

  it('gives the same card the same fingerprint, and another card another', async () => {
    const fp = async (number: string) => {
      const pi = (await g.createIntent()).json;
      await g.confirm(pi, card(number));
      const id = (await get(pi.id)).latest_attempt;
      return (await g.store.read((tx) => tx.attempts.get(id)))?.cardFingerprint;
    };
    const first = await fp(CARDS.ok);
    expect(await fp(CARDS.ok)).toBe(first);
    expect(await fp(CARDS.declined)).not.toBe(first);
  });

  it('a decline returns the intent to requires_payment_method with the reason; another card then pays', async () => {
    const pi = (await g.createIntent()).json;
    const declined = await g.confirm(pi, card(CARDS.insufficient));
    expect(declined.status).toBe(402);
    expect(declined.json.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
    expect(declined.json.error.payment_intent).toMatchObject({
      status: 'requires_payment_method',
      attempts_remaining: 4,
    });
    const paid = await g.confirm(pi, card(CARDS.ok));
    expect(paid.json.status).toBe('succeeded');
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.payment_failed',
      'payment_intent.succeeded',
    ]);
  });

  it('gives each client 5 declined attempts, and fails the intent for good after 10', async () => {
    const pi = (await g.createIntent()).json;
    // Confirms from a given address, as the socket would report it.
    const from = async (address: string, number: string) => {
      const res = await g.app.request(
        `/v1/client/payment_intents/${pi.id}/confirm`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${g.a.pk}`, 'content-type': 'application/json' },
          body: JSON.stringify({ client_secret: pi.client_secret, payment_method: card(number) }),
        },
        { incoming: { socket: { remoteAddress: address, remoteFamily: 'IPv4' } } },
      );
      return { status: res.status, json: (await res.json()) as any };
    };
    for (let i = 1; i <= 5; i++) {
      const res = await from('203.0.113.7', CARDS.declined);
      expect(res.status).toBe(402);
      expect(res.json.error.payment_intent.attempts_remaining).toBe(5 - i);
    }
    // That client is done; the intent is not, for anyone else.
    const sixth = await from('203.0.113.7', CARDS.ok);
    expect(sixth.status).toBe(429);
    expect(sixth.json.error.code).toBe('too_many_attempts');
    expect((await get(pi.id)).status).toBe('requires_payment_method');
    for (let i = 1; i <= 5; i++) {
      const res = await from('198.51.100.9', CARDS.declined);
      expect(res.status).toBe(402);
    }
    expect((await get(pi.id)).status).toBe('failed');
    const late = await from('192.0.2.1', CARDS.ok);
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('payment_intent_unexpected_state');
  });

  it.each([
    [{ number: '4242424242424241' }, 'incorrect_number', 'payment_method[card][number]'],
    [{ exp_month: 1, exp_year: 2026 }, 'invalid_expiry_year', 'payment_method[card][exp_year]'],
    [{ cvc: '1234' }, 'invalid_cvc', 'payment_method[card][cvc]'],
  ])('refuses card %j before the processor with %s', async (fields, code, param) => {
    const pi = (await g.createIntent()).json;
    const res = await g.confirm(pi, card(CARDS.ok, fields));
    expect(res.status).toBe(402);
    expect(res.json.error).toMatchObject({ type: 'card_error', code, param });
    const after = await get(pi.id);
    expect(after).toMatchObject({
      status: 'requires_payment_method',
      failed_attempts: 0,
      latest_attempt: null,
    });
  });

  it.each([
    [
      { type: 'card', card: { number: 'abcd', exp_month: 1, exp_year: 2030, cvc: '123' } },
      'payment_method[card][number]',
    ],
    [
      { type: 'card', card: { number: CARDS.ok, exp_month: 13, exp_year: 2030, cvc: '123' } },
      'payment_method[card][exp_month]',
    ],
    [
      { type: 'card', card: { number: CARDS.ok, exp_month: 1, exp_year: 2030 } },
      'payment_method[card][cvc]',
    ],
    [{ type: 'upi', upi: { vpa: 'not a vpa' } }, 'payment_method[upi][vpa]'],
    [{ type: 'cash' }, 'payment_method[type]'],
  ])('answers a malformed payment method %j with a 400 naming %s', async (method, param) => {
    const pi = (await g.createIntent()).json;
    const res = await g.confirm(pi, method);
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe(param);
  });

  it('refuses a method the intent does not accept', async () => {
    const pi = (await g.createIntent({ payment_method_types: ['card'] })).json;
    const res = await g.confirm(pi, { type: 'upi', upi: { vpa: 'success@kassa' } });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('payment_method[type]');
  });

  it('3-D Secure: requires_action with the challenge URL, then succeeds when approved', async () => {
    const pi = (await g.createIntent({ return_url: 'http://shop.test/done' })).json;
    const res = await g.confirm(pi, card(CARDS.threeDS));
    expect(res.json.status).toBe('requires_action');
    const url = new URL(res.json.next_action.url);
    expect(url.origin).toBe('http://gateway.test');
    const page = await g.app.request(url.pathname);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Complete authentication');
    const done = await g.app.request(url.pathname, {
      method: 'POST',
      body: new URLSearchParams({ result: 'approve' }),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://shop.test/done');
    expect((await get(pi.id)).status).toBe('succeeded');
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
  });

  it("UPI in the shopper's app: a upi_intent next action with the upi://pay link, paid in the sandbox's test app", async () => {
    const pi = (await g.createIntent({ amount: 2500, currency: 'INR' })).json;
    const res = await g.confirm(pi, { type: 'upi', upi: { flow: 'intent' } });
    expect(res.json.status).toBe('requires_action');
    expect(res.json.next_action.type).toBe('upi_intent');
    const link = new URL(res.json.next_action.url);
    expect(link.protocol).toBe('upi:');
    expect(link.searchParams.get('am')).toBe('25.00');
    expect(link.searchParams.get('cu')).toBe('INR');
    // The shopper's app shows whom they pay: the merchant, not the sandbox.
    expect(link.searchParams.get('pn')).toBe('Acme Coffee');
    const app = new URL(res.json.next_action.test_url);
    expect(app.origin).toBe('http://gateway.test');
    const appPage = await (await g.app.request(app.pathname)).text();
    expect(appPage).toContain('Test UPI app');
    expect(appPage).toContain('to <strong>Acme Coffee</strong>');
    // In the payment page's language, which it passes on.
    const inHindi = await (await g.app.request(`${app.pathname}?lang=hi`)).text();
    expect(inHindi).toContain('<html lang="hi">');
    expect(inHindi).toContain('परीक्षण यूपीआई ऐप');
    expect(inHindi).toContain('भुगतान करें');
    const paid = await g.app.request(app.pathname, {
      method: 'POST',
      body: new URLSearchParams({ result: 'approve' }),
    });
    expect(await paid.text()).toContain('Payment approved in the test UPI app');
    expect((await get(pi.id)).status).toBe('succeeded');
    const id = (await get(pi.id)).latest_attempt;
    const attempt = await g.store.read((tx) => tx.attempts.get(id));
    expect(attempt).toMatchObject({ methodType: 'upi', upiVpa: null, status: 'succeeded' });
  });

  it.each([
    [{ flow: 'collect' }, 'payment_method[upi][vpa]'],
    [{ flow: 'intent', vpa: 'a@upi' }, 'payment_method[upi][vpa]'],
    [{ flow: 'qr' }, 'payment_method[upi][flow]'],
  ])('UPI %j is refused naming %s', async (upi, param) => {
    const pi = (await g.createIntent()).json;
    const res = await g.confirm(pi, { type: 'upi', upi });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe(param);
  });

  it('3-D Secure failed, or approved then declined, returns to requires_payment_method', async () => {
    for (const [number, result, decline] of [
      [CARDS.threeDS, 'fail', 'authentication_failed'],
      [CARDS.threeDSThenDecline, 'approve', 'insufficient_funds'],
    ] as const) {
      const pi = (await g.createIntent()).json;
      const res = await g.confirm(pi, card(number));
      const path = new URL(res.json.next_action.url).pathname;
      await g.app.request(path, { method: 'POST', body: new URLSearchParams({ result }) });
      const after = await get(pi.id);
      expect(after.status).toBe('requires_payment_method');
      expect(after.last_payment_error.decline_code).toBe(decline);
    }
  });

  it('a shopper may leave 3-D Secure and pay with another card', async () => {
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.threeDS));
    const res = await g.confirm(pi, card(CARDS.ok));
    expect(res.json.status).toBe('succeeded');
  });

  it('an asynchronous card stays processing, then the worker settles it', async () => {
    const pi = (await g.createIntent()).json;
    const res = await g.confirm(pi, card(CARDS.async));
    expect(res.json.status).toBe('processing');
    const again = await g.confirm(pi, card(CARDS.ok));
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('payment_in_progress');
    await g.worker.drain(); // not due yet: the processor still says processing
    g.clock.advance(2500);
    await g.worker.drain();
    expect((await get(pi.id)).status).toBe('succeeded');
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.succeeded',
    ]);
  });

  it('UPI: success@kassa succeeds and failure@kassa fails, asynchronously', async () => {
    const ok = (await g.createIntent({ currency: 'INR' })).json;
    const bad = (await g.createIntent({ currency: 'INR' })).json;
    expect((await g.confirm(ok, { type: 'upi', upi: { vpa: 'success@kassa' } })).json.status).toBe(
      'processing',
    );
    expect((await g.confirm(bad, { type: 'upi', upi: { vpa: 'failure@kassa' } })).json.status).toBe(
      'processing',
    );
    g.clock.advance(3000);
    await g.worker.drain();
    expect((await get(ok.id)).status).toBe('succeeded');
    const failed = await get(bad.id);
    expect(failed.status).toBe('requires_payment_method');
    expect(failed.last_payment_error).toMatchObject({
      code: 'payment_declined',
      decline_code: 'upi_declined',
    });
  });
});

describe('manual capture and cancel', () => {
  it('holds the amount, then captures part of it', async () => {
    const pi = (await g.createIntent({ capture_method: 'manual', amount: 5000 })).json;
    expect((await g.confirm(pi, card(CARDS.ok))).json.status).toBe('requires_capture');
    expect((await get(pi.id)).amount_capturable).toBe(5000);
    const tooMuch = await g.call('POST', `/v1/payment_intents/${pi.id}/capture`, g.a.sk, {
      amount_to_capture: 6000,
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.error.param).toBe('amount_to_capture');
    const cap = await g.call('POST', `/v1/payment_intents/${pi.id}/capture`, g.a.sk, {
      amount_to_capture: 3000,
    });
    expect(cap.json).toMatchObject({
      status: 'succeeded',
      amount_received: 3000,
      amount_capturable: 0,
    });
    const twice = await g.call('POST', `/v1/payment_intents/${pi.id}/capture`, g.a.sk);
    expect(twice.status).toBe(409);
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.amount_capturable_updated',
      'payment_intent.succeeded',
    ]);
  });

  it('captures the full amount with no body', async () => {
    const pi = (await g.createIntent({ capture_method: 'manual' })).json;
    await g.confirm(pi, card(CARDS.ok));
    const cap = await g.call('POST', `/v1/payment_intents/${pi.id}/capture`, g.a.sk);
    expect(cap.json).toMatchObject({ status: 'succeeded', amount_received: 1999 });
  });

  it('cannot capture an automatic intent that has not been paid', async () => {
    const pi = (await g.createIntent()).json;
    const res = await g.call('POST', `/v1/payment_intents/${pi.id}/capture`, g.a.sk);
    expect(res.status).toBe(409);
  });

  it('cancels open and held intents, never paid ones', async () => {
    const open = (await g.createIntent()).json;
    const c1 = await g.call('POST', `/v1/payment_intents/${open.id}/cancel`, g.a.sk, {
      cancellation_reason: 'abandoned',
    });
    expect(c1.json).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(c1.json.canceled_at).toBeTypeOf('number');

    const held = (await g.createIntent({ capture_method: 'manual' })).json;
    await g.confirm(held, card(CARDS.ok));
    const c2 = await g.call('POST', `/v1/payment_intents/${held.id}/cancel`, g.a.sk);
    expect(c2.json).toMatchObject({ status: 'canceled', amount_capturable: 0 });

    const paid = (await g.createIntent()).json;
    await g.confirm(paid, card(CARDS.ok));
    const c3 = await g.call('POST', `/v1/payment_intents/${paid.id}/cancel`, g.a.sk);
    expect(c3.status).toBe(409);
    expect(c3.json.error.code).toBe('payment_intent_unexpected_state');

    const again = await g.call('POST', `/v1/payment_intents/${open.id}/cancel`, g.a.sk);
    expect(again.status).toBe(409);
    const confirmCanceled = await g.confirm(open, card(CARDS.ok));
    expect(confirmCanceled.status).toBe(409);
  });
});

describe('expiry', () => {
  it('an expired intent cannot be confirmed, and says so', async () => {
    const pi = (await g.createIntent({ expires_in: 60 })).json;
    g.clock.advance(61_000);
    const res = await g.confirm(pi, card(CARDS.ok));
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('payment_intent_expired');
    expect((await get(pi.id)).status).toBe('expired');
    expect(await g.events(pi.id)).toEqual(['payment_intent.created', 'payment_intent.expired']);
  });

  it('the worker expires open intents past expires_at, and leaves the rest', async () => {
    const soon = (await g.createIntent({ expires_in: 60 })).json;
    const later = (await g.createIntent()).json;
    g.clock.advance(61_000);
    await g.worker.drain();
    expect((await get(soon.id)).status).toBe('expired');
    expect((await get(later.id)).status).toBe('requires_payment_method');
    // An expired order may be paid through a new intent.
    expect((await g.createIntent({ order_id: soon.order_id })).status).toBe(201);
  });

  it('a 3-D Secure payment left waiting expires after a last look at the processor', async () => {
    const pi = (await g.createIntent({ expires_in: 60 })).json;
    await g.confirm(pi, card(CARDS.threeDS));
    g.clock.advance(61_000);
    await g.worker.drain();
    expect((await get(pi.id)).status).toBe('expired');
  });
});
