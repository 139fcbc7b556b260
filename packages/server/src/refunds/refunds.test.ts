import { createSandboxProcessor, type Processor } from '@kassa/processors';
import { beforeEach, describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

async function paid(fields: Record<string, unknown> = {}) {
  const pi = (await g.createIntent({ amount: 10_000, ...fields })).json;
  await g.confirm(pi, card(CARDS.ok));
  return pi;
}
const refund = (body: Record<string, unknown>, key = g.a.sk) =>
  g.call('POST', '/v1/refunds', key, body);
const intent = async (id: string) =>
  (await g.call('GET', `/v1/payment_intents/${id}`, g.a.sk)).json;

describe('refunds', () => {
  it('refunds in part, several times, then the rest, and never more', async () => {
    const pi = await paid();
    const first = await refund({
      payment_intent: pi.id,
      amount: 3000,
      reason: 'requested_by_customer',
    });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      object: 'refund',
      amount: 3000,
      status: 'succeeded',
      currency: 'USD',
      reason: 'requested_by_customer',
    });
    expect((await refund({ payment_intent: pi.id, amount: 2000 })).json.status).toBe('succeeded');
    const tooMuch = await refund({ payment_intent: pi.id, amount: 5001 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.error).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    const rest = await refund({ payment_intent: pi.id });
    expect(rest.json.amount).toBe(5000);
    expect((await intent(pi.id)).amount_refunded).toBe(10_000);
    const again = await refund({ payment_intent: pi.id, amount: 1 });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('charge_already_refunded');
    const list = await g.call('GET', `/v1/refunds?payment_intent=${pi.id}`, g.a.sk);
    expect(list.json.data.map((r: { amount: number }) => r.amount)).toEqual([5000, 2000, 3000]);
    const types = (await g.call('GET', '/v1/events?type=refund.*&limit=100', g.a.sk)).json.data.map(
      (e: { type: string }) => e.type,
    );
    expect(types.filter((t: string) => t === 'refund.created')).toHaveLength(3);
    expect(types.filter((t: string) => t === 'refund.succeeded')).toHaveLength(3);
  });

  it('10 concurrent partial refunds never exceed the captured amount', async () => {
    const pi = await paid();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => refund({ payment_intent: pi.id, amount: 1500 })),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(6); // 6 × 1500 = 9000 ≤ 10000 < 7 × 1500
    for (const r of results.filter((x) => x.status !== 201))
      expect(r.json.error.code).toBe('amount_too_large');
    expect((await intent(pi.id)).amount_refunded).toBe(9000);
  });

  it('refunds only what a partial capture took', async () => {
    const pi = (await g.createIntent({ amount: 10_000, capture_method: 'manual' })).json;
    await g.confirm(pi, card(CARDS.ok));
    await g.call('POST', `/v1/payment_intents/${pi.id}/capture`, g.a.sk, {
      amount_to_capture: 4000,
    });
    const res = await refund({ payment_intent: pi.id, amount: 4001 });
    expect(res.status).toBe(400);
    expect((await refund({ payment_intent: pi.id })).json.amount).toBe(4000);
  });

  it('refuses unpaid payments and other merchants’ payments, naming the field', async () => {
    const open = (await g.createIntent()).json;
    const unpaid = await refund({ payment_intent: open.id });
    expect(unpaid.status).toBe(409);
    expect(unpaid.json.error.param).toBe('payment_intent');
    const pi = await paid();
    expect((await refund({ payment_intent: pi.id }, g.b.sk)).status).toBe(404);
    expect((await refund({ payment_intent: pi.id, amount: 0 })).json.error.param).toBe('amount');
    const r = (await refund({ payment_intent: pi.id, amount: 100 })).json;
    expect((await g.call('GET', `/v1/refunds/${r.id}`, g.b.sk)).status).toBe(404);
    expect((await g.call('GET', `/v1/refunds/${r.id}`, g.a.sk)).json.id).toBe(r.id);
  });

  it('a refund the processor turns down is failed, and its amount can be refunded again', async () => {
    const sandbox = createSandboxProcessor();
    let decline = true;
    const picky: Processor = {
      ...sandbox,
      refund: async (req) => (decline ? { status: 'failed', reference: 'x' } : sandbox.refund(req)),
    };
    g = await testGateway({ processors: { sandbox: picky } });
    const pi = await paid();
    const failed = await refund({ payment_intent: pi.id, amount: 7000 });
    expect(failed.json).toMatchObject({
      status: 'failed',
      failure_reason: 'The processor declined the refund.',
    });
    expect((await intent(pi.id)).amount_refunded).toBe(0);
    decline = false;
    expect((await refund({ payment_intent: pi.id, amount: 10_000 })).json.status).toBe('succeeded');
    const types = (await g.call('GET', '/v1/events?type=refund.*&limit=100', g.a.sk)).json.data.map(
      (e: { type: string }) => e.type,
    );
    expect(types).toContain('refund.failed');
  });

  it('a refund left pending by a processor error is finished by the worker', async () => {
    const sandbox = createSandboxProcessor();
    let down = true;
    const flaky: Processor = {
      ...sandbox,
      refund: async (req) => {
        if (down) throw new Error('processor unreachable');
        return sandbox.refund(req);
      },
    };
    g = await testGateway({ processors: { sandbox: flaky } });
    const pi = await paid();
    const pending = await refund({ payment_intent: pi.id, amount: 2500 });
    expect(pending.json.status).toBe('pending');
    down = false;
    g.clock.advance(31_000);
    await g.worker.drain();
    expect((await g.call('GET', `/v1/refunds/${pending.json.id}`, g.a.sk)).json.status).toBe(
      'succeeded',
    );
  });
});
