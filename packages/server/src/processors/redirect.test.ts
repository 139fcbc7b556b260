import { REDIRECT_SIGNATURE_HEADER, signRedirectNotification } from '@kassa/processors';
import { beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

async function redirectPayment(fields: Record<string, unknown> = {}) {
  const pi = (await g.createIntent({ payment_method_types: ['card', 'redirect'], ...fields })).json;
  const res = await g.confirm(pi, { type: 'redirect' });
  expect(res.json.status).toBe('requires_action');
  expect(res.json.next_action.type).toBe('redirect');
  return { pi, app: new URL(res.json.next_action.url).pathname };
}
const status = async (id: string) =>
  (await g.call('GET', `/v1/payment_intents/${id}`, g.a.sk)).json.status;
const answer = (app: string, result: string, query = '') =>
  g.app.request(`${app}${query}`, { method: 'POST', body: new URLSearchParams({ result }) });

describe('the redirect processor (seed 001)', () => {
  it('sends the shopper to the app; approving calls the gateway back and the payment succeeds', async () => {
    const { pi, app } = await redirectPayment();
    const page = await g.app.request(app);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('KassaPay');
    expect(html).toContain('Pay $19.99?');
    const done = await answer(app, 'approve', `?return=${encodeURIComponent(`/pay/${pi.id}`)}`);
    const text = await done.text();
    expect(text).toContain('Payment approved');
    expect(text).toContain(`href="/pay/${pi.id}"`);
    expect(await status(pi.id)).toBe('succeeded');
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
  });

  it('declining in the app returns the payment to the shopper with the reason', async () => {
    const { pi, app } = await redirectPayment();
    await answer(app, 'decline');
    const after = (await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json;
    expect(after).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { decline_code: 'declined_in_app' },
    });
  });

  it('only verified notifications count, once each; forged and stale ones are refused', async () => {
    const { pi, app } = await redirectPayment();
    const reference = app.split('/').pop() as string;
    const body = JSON.stringify({ id: 'ntf_x', reference, status: 'success' });
    const post = (sig: string) =>
      g.app.request('/v1/processor_webhooks/redirect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', [REDIRECT_SIGNATURE_HEADER]: sig },
        body,
      });
    const t = Math.floor(g.clock.now() / 1000);
    expect((await post(signRedirectNotification(body, 'wrong-secret', t))).status).toBe(400);
    expect(
      (await post(signRedirectNotification(body, g.config.redirectSecret, t - 600))).status,
    ).toBe(400);
    expect(await status(pi.id)).toBe('requires_action');
    // Verified, but only a trigger: the app's books have no approval yet, so nothing moves.
    const ok = await post(signRedirectNotification(body, g.config.redirectSecret, t));
    expect(await ok.json()).toMatchObject({ duplicate: false });
    expect(await status(pi.id)).toBe('requires_action');
    expect(
      await (await post(signRedirectNotification(body, g.config.redirectSecret, t))).json(),
    ).toMatchObject({ duplicate: true });
    // The shopper approves in the app: now its books, asked, say paid.
    await answer(app, 'approve');
    expect(await status(pi.id)).toBe('succeeded');
    const later = JSON.stringify({ id: 'ntf_y', reference, status: 'success' });
    const again = await g.app.request('/v1/processor_webhooks/redirect', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [REDIRECT_SIGNATURE_HEADER]: signRedirectNotification(later, g.config.redirectSecret, t),
      },
      body: later,
    });
    expect(await again.json()).toMatchObject({ duplicate: false });
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
  });

  it('a notification that never comes is settled by the expiry check', async () => {
    const { pi } = await redirectPayment({ expires_in: 60 });
    g.clock.advance(61_000);
    await g.worker.drain();
    expect(await status(pi.id)).toBe('expired');
  });

  it('is offered only where the merchant allows it', async () => {
    const pi = (await g.createIntent()).json;
    const res = await g.confirm(pi, { type: 'redirect' });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('payment_method[type]');
  });
});
