// The lower-severity findings of the red-team reviews (finding 11, and finding 10's
// trusted-proxy setting), each as a user or an attacker would meet it.
import { sameOriginPath } from '@kassa/processors';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../http/rate-limit.ts';
import { createMerchant } from '../merchants/merchants.ts';
import { testGateway } from '../testing/harness.ts';

describe('hardening', () => {
  it('answers nosniff everywhere, HSTS when public over https, and never lets /docs be framed', async () => {
    const g = await testGateway({ config: { publicUrl: 'https://pay.example' } });
    const res = await g.call('GET', '/v1/payment_intents', g.a.sk);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const docs = await g.call('GET', '/docs', null);
    expect(docs.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const plain = await testGateway();
    const http = await plain.call('GET', '/healthz', null);
    expect(http.headers.get('strict-transport-security')).toBeNull();
  });

  it('refuses NUL characters and unpaired surrogates, naming the field', async () => {
    const g = await testGateway();
    const nul = await g.createIntent({ description: 'tea\u0000' });
    expect(nul.status).toBe(400);
    expect(nul.json.error.param).toBe('description');
    const lone = await g.call(
      'POST',
      '/v1/payment_intents',
      g.a.sk,
      '{"amount":100,"currency":"usd","order_id":"o1","metadata":{"note":"\\ud800"}}',
    );
    expect(lone.status).toBe(400);
    expect(lone.json.error.param).toBe('metadata[note]');
    expect((await g.createIntent({ description: 'chai ☕ 𝄞' })).status).toBe(201);
  });

  it('reconciles only real days, and keeps test and live runs apart', async () => {
    const g = await testGateway();
    const bad = await g.call('POST', '/v1/reconciliation_runs', g.a.sk, { date: '2026-02-30' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('date');
    const run = await g.call('POST', '/v1/reconciliation_runs', g.a.sk, { date: '2026-05-31' });
    expect(run.status).toBe(201);
    expect((await g.call('GET', `/v1/reconciliation_runs/${run.json.id}`, g.a.sk)).status).toBe(
      200,
    );
    expect((await g.call('GET', `/v1/reconciliation_runs/${run.json.id}`, g.a.liveSk)).status).toBe(
      404,
    );
  });

  it('the seed-002 routes keep /v1’s amount and order-id limits', async () => {
    const g = await testGateway();
    const seed = (body: unknown) =>
      g.call('POST', '/api/v1/payments', null, body, {
        'x-api-key': g.a.pk,
        'x-api-secret': g.a.sk,
      });
    const base = {
      amount: 5000,
      currency: 'INR',
      method: 'upi',
      vpa: 'shopper@okbank',
      order_id: 'S1',
    };
    expect((await seed({ ...base, amount: 1e12 })).json.error.param).toBe('amount');
    expect((await seed({ ...base, order_id: '<script>' })).json.error.param).toBe('order_id');
    expect((await seed({ ...base, order_id: 'a|b' })).status).toBe(400);
    const ok = await seed(base);
    expect(ok.status, ok.text).toBe(201);
  });

  it('the seed’s example credentials open nothing outside a demo install', async () => {
    const g = await testGateway();
    const res = await g.call('GET', '/api/v1/test/jobs/status', null, undefined, {
      'x-api-key': 'key_test_abc123',
      'x-api-secret': 'secret_test_xyz789',
    });
    expect(res.status).toBe(401);
  });

  it('takes origins only as origins', async () => {
    const g = await testGateway();
    for (const origin of ['http://a;b.com', 'https://shop.example/path', 'http://x y.com']) {
      await expect(
        createMerchant(g.store, g.clock, { name: 'Bad', origins: [origin] }),
      ).rejects.toThrow();
    }
    const ok = await createMerchant(g.store, g.clock, {
      name: 'Good',
      origins: ['https://shop.example:8443/'],
    });
    expect(ok.merchant.allowedOrigins).toEqual(['https://shop.example:8443']);
  });

  it('the payment app’s done page links back only to this origin', () => {
    expect(sameOriginPath('/pay/pi_1?x=1')).toBe('/pay/pi_1?x=1');
    expect(sameOriginPath('//evil.example')).toBeNull();
    expect(sameOriginPath('/\\evil.example')).toBeNull();
    expect(sameOriginPath('https://evil.example')).toBeNull();
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its right-most hops', async () => {
    const app = new Hono();
    let seen = '';
    app.get('/', (c) => {
      seen = clientAddress(c, ['10.0.0.0/8']);
      return c.text('ok');
    });
    const from = (peer: string, xff?: string) =>
      app.request(
        '/',
        { headers: xff ? { 'x-forwarded-for': xff } : {} },
        { incoming: { socket: { remoteAddress: peer, remoteFamily: 'IPv4' } } },
      );
    await from('10.1.1.1', '1.2.3.4, 198.51.100.7, 10.2.2.2');
    expect(seen).toBe('198.51.100.7');
    await from('203.0.113.9', '1.2.3.4');
    expect(seen).toBe('203.0.113.9');
  });
});
