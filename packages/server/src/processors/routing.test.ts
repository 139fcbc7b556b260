import { createSandboxProcessor, type Processor } from '@kassa/processors';
import { describe, expect, it } from 'vitest';
import { CARDS, card, testGateway } from '../testing/harness.ts';

/** A sandbox with other capabilities, registered under another name. */
const variant = (id: string, caps: Partial<Processor['capabilities']>): Processor => {
  const sandbox = createSandboxProcessor({ notificationSecret: 'x' });
  return { ...sandbox, id, capabilities: { ...sandbox.capabilities, ...caps } };
};

describe('one routing module reads the adapters’ capabilities', () => {
  it('refuses live intents while no adapter serves live mode, with the clear error', async () => {
    const g = await testGateway();
    const live = await g.createIntent({}, g.a.liveSk);
    expect(live.status).toBe(400);
    expect(live.json.error.code).toBe('livemode_not_configured');
  });

  it('refuses at create what no adapter of the mode can do, naming the field', async () => {
    const g = await testGateway();
    const held = await g.createIntent({
      capture_method: 'manual',
      payment_method_types: ['redirect'],
    });
    expect(held.status).toBe(400);
    expect(held.json.error).toMatchObject({
      code: 'capture_method_unsupported',
      param: 'capture_method',
    });
    const acme = variant('acme', {
      modes: ['test', 'live'],
      paymentMethods: ['card'],
      manualCapture: false,
    });
    const g2 = await testGateway({ processors: { acme } });
    const upi = await g2.createIntent({ payment_method_types: ['card', 'upi'] }, g2.a.liveSk);
    expect(upi.json.error).toMatchObject({
      code: 'payment_method_unavailable',
      param: 'payment_method_types',
    });
    const live = await g2.createIntent({ payment_method_types: ['card'] }, g2.a.liveSk);
    expect(live.status, live.text).toBe(201);
    expect(live.json.livemode).toBe(true);
    expect((await g2.store.read((tx) => tx.intents.get(live.json.id)))?.processor).toBe('acme');
  });

  it('records the adapter that served the attempt on the intent (redirect, not sandbox)', async () => {
    const g = await testGateway();
    const intent = (await g.createIntent({ payment_method_types: ['card', 'redirect'] })).json;
    expect((await g.store.read((tx) => tx.intents.get(intent.id)))?.processor).toBe('sandbox');
    const r = await g.confirm(intent, { type: 'redirect' });
    expect(r.status, r.text).toBe(200);
    expect((await g.store.read((tx) => tx.intents.get(intent.id)))?.processor).toBe('redirect');
  });

  it('refuses a partial capture and a refund the adapter cannot do, before calling it', async () => {
    const plain = variant('sandbox', { partialCapture: false, refunds: false });
    const g = await testGateway({ processors: { sandbox: plain } });
    const intent = (await g.createIntent({ capture_method: 'manual' })).json;
    expect((await g.confirm(intent, card(CARDS.ok))).json.status).toBe('requires_capture');
    const part = await g.call('POST', `/v1/payment_intents/${intent.id}/capture`, g.a.sk, {
      amount_to_capture: 500,
    });
    expect(part.status).toBe(400);
    expect(part.json.error).toMatchObject({
      code: 'partial_capture_unsupported',
      param: 'amount_to_capture',
    });
    const full = await g.call('POST', `/v1/payment_intents/${intent.id}/capture`, g.a.sk, {});
    expect(full.json.status, full.text).toBe('succeeded');
    const refund = await g.call('POST', '/v1/refunds', g.a.sk, { payment_intent: intent.id });
    expect(refund.status).toBe(400);
    expect(refund.json.error).toMatchObject({
      code: 'refunds_unsupported',
      param: 'payment_intent',
    });
  });
});
