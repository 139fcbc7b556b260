import { beforeEach, describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

const view = (id: string, secret: string, pk = g.a.pk) =>
  g.call('GET', `/v1/client/payment_intents/${id}?client_secret=${encodeURIComponent(secret)}`, pk);

describe('client API', () => {
  it("shows a shopper the merchant's name, amount and methods, and nothing private", async () => {
    const pi = (
      await g.createIntent({
        description: 'Coffee',
        currency: 'inr',
        metadata: { internal: 'margin-40' },
        customer: { email: 'a@b.co' },
      })
    ).json;
    const res = await view(pi.id, pi.client_secret);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: pi.id,
      amount: 1999,
      currency: 'INR',
      description: 'Coffee',
      merchant: { name: 'Acme Coffee' },
      payment_method_types: ['card', 'upi'],
      attempts_remaining: 5,
    });
    expect(res.text).not.toContain('margin-40');
    expect(res.text).not.toContain('a@b.co');
    expect(res.text).not.toContain(pi.client_secret);
    expect(res.text).not.toContain(pi.order_id);
  });

  it('a client secret opens only its own intent', async () => {
    const one = (await g.createIntent()).json;
    const two = (await g.createIntent()).json;
    expect((await view(one.id, two.client_secret)).status).toBe(404);
    expect((await view(one.id, `${one.client_secret}x`)).status).toBe(404);
    const confirm = await g.call('POST', `/v1/client/payment_intents/${one.id}/confirm`, g.a.pk, {
      client_secret: two.client_secret,
      payment_method: card(CARDS.ok),
    });
    expect(confirm.status).toBe(404);
    expect((await g.call('GET', `/v1/payment_intents/${one.id}`, g.a.sk)).json.status).toBe(
      'requires_payment_method',
    );
  });

  it("another merchant's publishable key opens nothing, even with the right secret", async () => {
    const pi = (await g.createIntent()).json;
    expect((await view(pi.id, pi.client_secret, g.b.pk)).status).toBe(404);
  });

  it('the client secret alone opens the intent; a secret key is refused in the browser', async () => {
    const pi = (await g.createIntent()).json;
    expect((await view(pi.id, pi.client_secret, '')).status).toBe(200);
    const secret = await view(pi.id, pi.client_secret, g.a.sk);
    expect(secret.status).toBe(401);
    expect(secret.json.error.code).toBe('publishable_key_required');
  });

  it('once paid, shows the order id and a signature the merchant can verify with @kassa/node', async () => {
    const { verifyPaymentSignature } = await import('@kassa/node');
    const pi = (await g.createIntent({ order_id: 'SIG_1' })).json;
    expect((await view(pi.id, pi.client_secret)).json.result).toBeUndefined();
    const paid = await g.confirm(pi, card(CARDS.ok));
    const result = paid.json.result;
    expect(result.order_id).toBe('SIG_1');
    expect(
      verifyPaymentSignature(
        { order_id: 'SIG_1', payment_intent_id: pi.id, signature: result.signature },
        g.a.sk,
      ),
    ).toBe(true);
    expect(
      verifyPaymentSignature(
        { order_id: 'SIG_1', payment_intent_id: pi.id, signature: result.signature },
        g.b.sk,
      ),
    ).toBe(false);
  });

  it('checkout_sessions: a publishable key and an order id give the open intent to pay', async () => {
    const pi = (await g.createIntent({ order_id: 'ORDER_123' })).json;
    const session = (body: unknown, pk: string | null = g.a.pk) =>
      g.call('POST', '/v1/client/checkout_sessions', pk, body);
    const ok = await session({ order_id: 'ORDER_123' });
    expect(ok.json).toEqual({ payment_intent: pi.id, client_secret: pi.client_secret });
    expect((await session({ order_id: 'ORDER_123' }, g.b.pk)).status).toBe(404);
    expect((await session({ order_id: 'NOPE' })).json.error.param).toBe('order_id');
    expect((await session({ order_id: 'ORDER_123' }, null)).status).toBe(401);
    await g.confirm(pi, card(CARDS.ok));
    // A paid order answers as an unknown one: the endpoint is no oracle of order ids.
    const paid = await session({ order_id: 'ORDER_123' });
    expect(paid.status).toBe(404);
    expect(paid.json.error.message).toBe(
      (await session({ order_id: 'NOPE' })).json.error.message.replace('NOPE', 'ORDER_123'),
    );
  });

  it('streams the intent as Server-Sent Events until it settles', async () => {
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.async));
    const res = await g.app.request(
      `/v1/client/payment_intents/${pi.id}/events?client_secret=${pi.client_secret}`,
    );
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const text = new TextDecoder();
    let seen = '';
    const read = async () => {
      const { value } = await reader.read();
      seen += text.decode(value);
    };
    await read();
    expect(seen).toContain('event: payment_intent');
    expect(seen).toContain('"status":"processing"');
    g.clock.advance(3000);
    await g.worker.drain();
    while (!seen.includes('"status":"succeeded"')) await read();
    const { done } = await reader.read();
    expect(done).toBe(true);
  });

  it('counts the shopper’s own attempts left the same in the stream as in every other answer', async () => {
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.insufficient));
    await g.confirm(pi, card(CARDS.insufficient));
    const got = await g.call(
      'GET',
      `/v1/client/payment_intents/${pi.id}?client_secret=${pi.client_secret}`,
      g.a.pk,
    );
    expect(got.json.attempts_remaining).toBe(g.config.maxAttemptsPerClient - 2);
    await g.confirm(pi, card(CARDS.threeDS));
    const res = await g.app.request(
      `/v1/client/payment_intents/${pi.id}/events?client_secret=${pi.client_secret}`,
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('\n\n')) seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const data = JSON.parse(/data: (.*)/.exec(seen)?.[1] ?? '{}');
    expect(data.status).toBe('requires_action');
    expect(data.attempts_remaining).toBe(g.config.maxAttemptsPerClient - 2);
  });

  it('requires the client secret', async () => {
    const pi = (await g.createIntent()).json;
    const res = await g.call('GET', `/v1/client/payment_intents/${pi.id}`, g.a.pk);
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('client_secret');
  });

  it('limits confirm calls per client (card-testing defence)', async () => {
    const limited = await (await import('../testing/harness.ts')).testGateway({
      config: { confirmsPerMinutePerClient: 3 },
    });
    const pi = (await limited.createIntent()).json;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await limited.confirm(pi, card(CARDS.declined))).status);
    expect(statuses).toEqual([402, 402, 402, 429]);
    limited.clock.advance(60_000);
    expect((await limited.confirm(pi, card(CARDS.ok))).status).toBe(200);
  });
});
