import { createSandboxProcessor, type Processor } from '@kassa/processors';
import { describe, expect, it } from 'vitest';
import { CARDS, card, testGateway } from '../testing/harness.ts';

describe('server-to-server payments (seed 002)', () => {
  it('confirm: true answers 201 processing at once, and the worker completes it', async () => {
    const g = await testGateway();
    const res = await g.createIntent({
      currency: 'INR',
      confirm: true,
      payment_method: { type: 'upi', upi: { vpa: 'test@upi' } },
    });
    expect(res.status).toBe(201);
    expect(res.json.status).toBe('processing');
    const stats = (await g.call('GET', '/v1/jobs/stats', g.a.sk)).json;
    expect(stats.kinds['intent.confirm']).toMatchObject({ queued: 1, running: 0, dead: 0 });
    // Another merchant sees its own queue only.
    expect((await g.call('GET', '/v1/jobs/stats', g.b.sk)).json.kinds).toEqual({});
    await g.worker.drain(); // asks the processor: still processing
    g.clock.advance(3000);
    await g.worker.drain();
    expect((await g.call('GET', `/v1/payment_intents/${res.json.id}`, g.a.sk)).json.status).toBe(
      'succeeded',
    );
    expect(await g.events(res.json.id)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.succeeded',
    ]);
    expect(
      (await g.call('GET', '/v1/jobs/stats', g.a.sk)).json.kinds['intent.confirm'],
    ).toBeUndefined();
  });

  it("refuses UPI in the shopper's own app, which needs the payment page, naming the field", async () => {
    const g = await testGateway();
    const res = await g.createIntent({
      currency: 'INR',
      confirm: true,
      payment_method: { type: 'upi', upi: { flow: 'intent' } },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('payment_method[upi][flow]');
    const list = (await g.call('GET', '/v1/payment_intents', g.a.sk)).json;
    expect(list.data).toHaveLength(0);
  });

  it('failure@kassa ends as a decline the merchant can see', async () => {
    const g = await testGateway();
    const res = await g.createIntent({
      currency: 'INR',
      confirm: true,
      payment_method: { type: 'upi', upi: { vpa: 'failure@kassa' } },
    });
    g.clock.advance(3000);
    await g.worker.drain();
    g.clock.advance(3000);
    await g.worker.drain();
    const pi = (await g.call('GET', `/v1/payment_intents/${res.json.id}`, g.a.sk)).json;
    expect(pi).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { decline_code: 'upi_declined' },
    });
  });

  it('refuses card details from a server, and confirm without a method', async () => {
    const g = await testGateway();
    const cardRes = await g.createIntent({ confirm: true, payment_method: card(CARDS.ok) });
    expect(cardRes.status).toBe(400);
    expect(cardRes.json.error).toMatchObject({
      code: 'card_details_not_allowed',
      param: 'payment_method[type]',
    });
    const none = await g.createIntent({ confirm: true });
    expect(none.status).toBe(400);
    expect(none.json.error.param).toBe('payment_method');
    // Nothing was half-written.
    expect((await g.call('GET', '/v1/payment_intents', g.a.sk)).json.data).toEqual([]);
  });
});

describe('held payments and expiry', () => {
  it('cancels an authorisation not captured within the capture window', async () => {
    const g = await testGateway({ config: { captureWindowMs: 3_600_000 } });
    const pi = (await g.createIntent({ capture_method: 'manual' })).json;
    await g.confirm(pi, card(CARDS.ok));
    g.clock.advance(3_500_000);
    await g.worker.drain();
    expect((await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json.status).toBe(
      'requires_capture',
    );
    g.clock.advance(200_000);
    await g.worker.drain();
    const after = (await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json;
    expect(after).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'automatic',
      amount_capturable: 0,
    });
  });

  it('expiry records a late success instead of expiring a payment that went through', async () => {
    const sandbox = createSandboxProcessor();
    let bankSays: 'requires_action' | 'succeeded' = 'requires_action';
    const processor: Processor = {
      ...sandbox,
      // The shopper approved at the bank; the gateway never heard back.
      retrieve: async (req) =>
        bankSays === 'succeeded'
          ? { status: 'succeeded', reference: req.reference }
          : sandbox.retrieve(req),
    };
    const g = await testGateway({ processors: { sandbox: processor } });
    const late = (await g.createIntent({ expires_in: 60 })).json;
    const abandoned = (await g.createIntent({ expires_in: 60 })).json;
    await g.confirm(late, card(CARDS.threeDS));
    g.clock.advance(61_000);
    bankSays = 'succeeded';
    await g.worker.drain();
    expect((await g.call('GET', `/v1/payment_intents/${late.id}`, g.a.sk)).json.status).toBe(
      'succeeded',
    );
    expect((await g.call('GET', `/v1/payment_intents/${abandoned.id}`, g.a.sk)).json.status).toBe(
      'expired',
    );
    expect(await g.events(late.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
  });

  it('settles a payment whose processor call never came back, with no job per confirm', async () => {
    const sandbox = createSandboxProcessor();
    const calls: string[] = [];
    // The processor takes the call and never answers: to the database, what a process
    // that died mid-call leaves behind.
    const processor: Processor = {
      ...sandbox,
      authorize: (req) => {
        calls.push(req.attemptId);
        return new Promise(() => {});
      },
    };
    const g = await testGateway({
      processors: { sandbox: processor },
      config: { processorTimeoutMs: 600_000 },
    });
    const intent = (await g.createIntent()).json;
    void g.confirm(intent, card(CARDS.ok));
    const deadline = Date.now() + 5_000;
    while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(calls).toHaveLength(1);
    // Nothing is queued for it: the pending attempt is the record.
    expect((await g.call('GET', '/v1/jobs/stats', g.a.sk)).json.kinds).toEqual({});
    const view = () => g.call('GET', `/v1/payment_intents/${intent.id}`, g.a.sk);
    // Within the processor's timeout and the grace, the call may still answer: left alone.
    g.clock.advance(600_000);
    await g.worker.drain();
    expect((await view()).json.status).toBe('processing');
    g.clock.advance(31_000);
    await g.worker.drain();
    const settled = (await view()).json;
    expect(settled.status).toBe('requires_payment_method');
    expect(settled.last_payment_error).toMatchObject({ decline_code: 'processing_error' });
    // Once only: a later sweep finds nothing more to do.
    await g.worker.drain();
    expect(await g.events(intent.id)).toEqual([
      'payment_intent.created',
      'payment_intent.payment_failed',
    ]);
  });

  it('expires a 3-D Secure payment the same way when the shopper comes back late', async () => {
    const g = await testGateway();
    const intent = (await g.createIntent({ expires_in: 60 })).json;
    const waiting = await g.confirm(intent, card(CARDS.threeDS));
    expect(waiting.json.status).toBe('requires_action');
    g.clock.advance(61_000);
    // Not the sweep: the page asks first, and the confirm path expires it.
    const seen = await g.call(
      'GET',
      `/v1/client/payment_intents/${intent.id}?client_secret=${intent.client_secret}`,
      g.a.pk,
    );
    expect(seen.json.status).toBe('expired');
    const { latest_attempt } = (await g.call('GET', `/v1/payment_intents/${intent.id}`, g.a.sk))
      .json;
    const attempt = await g.store.read((tx) => tx.attempts.get(latest_attempt));
    expect(attempt).toMatchObject({ status: 'failed', declineCode: 'expired' });
  });
});
