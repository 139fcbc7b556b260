import { beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

const body = { amount: 1999, currency: 'usd', order_id: 'IDEM_1' };
const post = (key: string, b: unknown = body, sk = g.a.sk) =>
  g.call('POST', '/v1/payment_intents', sk, b, { 'idempotency-key': key });
const count = async () =>
  (await g.call('GET', '/v1/payment_intents?limit=100', g.a.sk)).json.data.length;

describe('Idempotency-Key', () => {
  it('replays the stored response, status code included', async () => {
    const first = await post('k1');
    const second = await post('k1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(1);
  });

  it('refuses the same key with a different body', async () => {
    await post('k2');
    const other = await post('k2', { ...body, amount: 2999 });
    expect(other.status).toBe(422);
    expect(other.json.error).toMatchObject({
      type: 'idempotency_error',
      code: 'idempotency_key_mismatch',
    });
  });

  it('20 parallel requests with one key create exactly one intent', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => post('k3', { ...body, order_id: 'PAR' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const s of statuses) expect([201, 409]).toContain(s);
    const conflicts = results.filter((r) => r.status === 409);
    for (const r of conflicts) expect(r.json.error.code).toBe('idempotency_key_in_use');
    expect(await count()).toBe(1);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.json.id));
    expect(ids.size).toBe(1);
  });

  it('20 parallel requests with different keys for one order still make one intent', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`order-key-${i}`)));
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(await count()).toBe(1);
  });

  it('does not keep a validation error: the request can be fixed and sent with the same key', async () => {
    const bad = await post('k4', { ...body, amount: 'lots' });
    expect(bad.status).toBe(400);
    const good = await post('k4');
    expect(good.status).toBe(201);
  });

  it('keeps a card decline, so a retried confirm does not charge again', async () => {
    const pi = (await g.createIntent()).json;
    const confirm = () =>
      g.call(
        'POST',
        `/v1/client/payment_intents/${pi.id}/confirm`,
        g.a.pk,
        {
          client_secret: pi.client_secret,
          payment_method: {
            type: 'card',
            card: { number: '4000000000000002', exp_month: 1, exp_year: 2031, cvc: '123' },
          },
        },
        { 'idempotency-key': 'confirm-1' },
      );
    const first = await confirm();
    const second = await confirm();
    expect(first.status).toBe(402);
    expect(second.status).toBe(402);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const after = (await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json;
    expect(after.failed_attempts).toBe(1);
  });

  it('keys are per merchant and expire after 24 hours', async () => {
    await post('shared');
    const theirs = await post('shared', { ...body, amount: 5 }, g.b.sk);
    expect(theirs.status).toBe(201);
    g.clock.advance(24 * 60 * 60 * 1000 + 1);
    const reused = await post('shared', { ...body, order_id: 'IDEM_2' });
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a key longer than 255 characters', async () => {
    const res = await post('x'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('Idempotency-Key');
  });
});
