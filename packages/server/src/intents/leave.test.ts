import type { SandboxProcessor } from '@kassa/processors';
import { beforeEach, describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';
import { applyOutcome } from './outcome.ts';

let g: TestGateway;
let sandbox: SandboxProcessor;
beforeEach(async () => {
  g = await testGateway();
  sandbox = g.processors.sandbox as SandboxProcessor;
});

const get = async (id: string) => (await g.call('GET', `/v1/payment_intents/${id}`, g.a.sk)).json;
const leave = (pi: { id: string; client_secret: string }) =>
  g.call('POST', `/v1/client/payment_intents/${pi.id}/leave`, g.a.pk, {
    client_secret: pi.client_secret,
  });
const attempt = (id: string) => g.store.read((tx) => tx.attempts.get(id));
const upi = (vpa: string) => ({ type: 'upi', upi: { vpa } });

describe('leaving a payment under way', () => {
  it('leaves 3-D Secure: withdrawn at the processor, no attempt used up, another card pays', async () => {
    const pi = (await g.createIntent()).json;
    const started = await g.confirm(pi, card(CARDS.threeDS));
    expect(started.json).toMatchObject({ status: 'requires_action', attempts_remaining: 5 });
    const first = (await get(pi.id)).latest_attempt;

    const left = await leave(pi);
    expect(left.status).toBe(200);
    expect(left.json).toMatchObject({
      status: 'requires_payment_method',
      next_action: null,
      last_payment_error: null,
      attempts_remaining: 5,
    });
    const a = await attempt(first);
    expect(a).toMatchObject({ status: 'failed', declineCode: 'abandoned' });
    expect(sandbox.operations(a?.processorReference as string)).toMatchObject([
      { kind: 'authorize' },
      { kind: 'cancel', result: { status: 'canceled' } },
    ]);
    // The challenge answered late cannot pay it any more.
    await g.worker.drain();
    expect((await get(pi.id)).status).toBe('requires_payment_method');

    expect((await g.confirm(pi, card(CARDS.ok))).json.status).toBe('succeeded');
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
    // Leaving again, when there is nothing to leave, is refused as the status says.
    expect((await leave(pi)).status).toBe(409);
  });

  it('leaves a UPI request: withdrawn, and the shopper pays by card instead', async () => {
    const pi = (await g.createIntent({ currency: 'INR', payment_method_types: ['card', 'upi'] }))
      .json;
    expect((await g.confirm(pi, upi('success@kassa'))).json.status).toBe('processing');
    const left = await leave(pi);
    expect(left.json.status).toBe('requires_payment_method');
    // The request would have been approved by now; it was withdrawn, so nothing happens.
    g.clock.advance(5000);
    await g.worker.drain();
    expect((await get(pi.id)).status).toBe('requires_payment_method');
    expect((await g.confirm(pi, card(CARDS.ok))).json.status).toBe('succeeded');
    expect((await get(pi.id)).amount_received).toBe(1999);
  });

  it('leaving an intent that is already open changes nothing; a paid one is refused', async () => {
    const pi = (await g.createIntent()).json;
    expect((await leave(pi)).json.status).toBe('requires_payment_method');
    await g.confirm(pi, card(CARDS.ok));
    const paid = await leave(pi);
    expect(paid.status).toBe(409);
    expect(paid.json.error.code).toBe('payment_intent_unexpected_state');
    expect(
      (
        await g.call('POST', `/v1/client/payment_intents/${pi.id}/leave`, g.a.pk, {
          client_secret: 'nope',
        })
      ).status,
    ).toBe(404);
  });

  it('a late success of a request that could not be withdrawn pays the open intent, once', async () => {
    const pi = (await g.createIntent({ currency: 'INR', payment_method_types: ['card', 'upi'] }))
      .json;
    await g.confirm(pi, upi('late@kassa'));
    const first = (await get(pi.id)).latest_attempt;
    expect((await leave(pi)).json.status).toBe('requires_payment_method');
    // The shopper approves in their UPI app after all; the worker keeps watching.
    g.clock.advance(3000);
    await g.worker.drain();
    expect((await get(pi.id)).status).toBe('requires_payment_method');
    g.clock.advance(4000);
    await g.worker.drain();
    const after = await get(pi.id);
    expect(after).toMatchObject({
      status: 'succeeded',
      amount_received: 1999,
      latest_attempt: first,
    });
    expect(await attempt(first)).toMatchObject({ status: 'succeeded', declineCode: null });
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.succeeded',
    ]);
    // No second payment is possible.
    expect((await g.confirm(pi, card(CARDS.ok))).status).toBe(409);
  });

  it('a late success after the shopper paid another way is given back at the processor', async () => {
    const pi = (await g.createIntent({ currency: 'INR', payment_method_types: ['card', 'upi'] }))
      .json;
    await g.confirm(pi, upi('late@kassa'));
    const first = (await get(pi.id)).latest_attempt;
    await leave(pi);
    expect((await g.confirm(pi, card(CARDS.ok))).json.status).toBe('succeeded');
    const paidBy = (await get(pi.id)).latest_attempt;
    g.clock.advance(7000);
    await g.worker.drain();
    // The card payment stands; the UPI money was refunded, exactly once.
    expect(await get(pi.id)).toMatchObject({
      status: 'succeeded',
      latest_attempt: paidBy,
      amount_refunded: 0,
    });
    const late = await attempt(first);
    expect(late?.status).toBe('returned');
    const ops = sandbox.operations(late?.processorReference as string);
    expect(ops.filter((o) => o.kind === 'refund')).toMatchObject([
      { amount: 1999, result: { status: 'succeeded' } },
    ]);
    g.clock.advance(60_000);
    await g.worker.drain();
    expect(
      sandbox.operations(late?.processorReference as string).filter((o) => o.kind === 'refund'),
    ).toHaveLength(1);
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.succeeded',
    ]);
  });

  it('a confirm from 3-D Secure leaves the challenge the same way', async () => {
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.threeDS));
    const first = (await get(pi.id)).latest_attempt;
    expect((await g.confirm(pi, card(CARDS.ok))).json.status).toBe('succeeded');
    await g.worker.drain();
    const a = await attempt(first);
    expect(a).toMatchObject({ status: 'failed', declineCode: 'abandoned' });
    expect(sandbox.operations(a?.processorReference as string).map((o) => o.kind)).toEqual([
      'authorize',
      'cancel',
    ]);
  });

  it('an outcome another process already recorded is never taken for a late payment', async () => {
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.async));
    const id = (await get(pi.id)).latest_attempt;
    const a = await attempt(id);
    const outcome = { status: 'succeeded' as const, reference: a?.processorReference as string };
    // Two processes apply the same success: this transaction read the attempt before the
    // other one committed, and the intent after.
    await g.store.transaction(async (tx) => {
      const stale = await tx.attempts.get(id);
      await applyOutcome(g, tx, id, outcome, g.clock.now());
      const moved = await tx.intents.get(pi.id);
      await tx.attempts.update(id, { status: stale?.status ?? 'processing' });
      expect(moved?.status).toBe('succeeded');
      await applyOutcome(g, tx, id, outcome, g.clock.now());
    });
    await g.worker.drain();
    expect(await get(pi.id)).toMatchObject({ status: 'succeeded', amount_refunded: 0 });
    expect((await attempt(id))?.status).not.toBe('returned');
    expect(sandbox.operations(a?.processorReference as string).map((o) => o.kind)).toEqual([
      'authorize',
    ]);
  });
});
