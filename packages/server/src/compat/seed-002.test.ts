import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedGateway, spawnGateway } from '../testing/spawn-gateway.ts';
import { until } from '../testing/until.ts';

let gw: SpawnedGateway;
beforeAll(async () => {
  gw = await spawnGateway({
    KASSA_DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'kassa-seed2-')), 'k.db')}`,
    KASSA_SANDBOX_ASYNC_DELAY_MS: '300',
    KASSA_WORKER_INTERVAL_MS: '50',
  });
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

// Seed 002's curl commands, as written, with the gateway's host and port.
const seed = {
  'X-Api-Key': 'key_test_abc123',
  'X-Api-Secret': 'secret_test_xyz789',
  'Content-Type': 'application/json',
};
const call = async (
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = seed,
) => {
  const res = await fetch(`${gw.url}${path}`, { method, headers, body });
  return { status: res.status, json: (await res.json()) as any };
};

describe("seed 002's API against a started gateway", () => {
  it('create (201 pending) → worker → success → capture → refund, and the jobs status', async () => {
    const created = await call(
      'POST',
      '/api/v1/payments',
      `{
    "amount": 50000,
    "currency": "INR",
    "method": "upi",
    "order_id": "ord_test_001",
    "vpa": "test@upi"
  }`,
    );
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      order_id: 'ord_test_001',
      amount: 50000,
      status: 'pending',
      captured: false,
    });
    const id = created.json.id;
    await until(
      'the payment to leave pending',
      async () => (await call('GET', `/api/v1/payments/${id}`)).json.status !== 'pending',
    );
    expect((await call('GET', `/api/v1/payments/${id}`)).json).toMatchObject({
      status: 'success',
      captured: false,
    });

    const early = await call(
      'POST',
      `/api/v1/payments/${id}/refunds`,
      '{ "amount": 1000, "reason": "Customer requested" }',
    );
    expect(early.status).toBe(400);

    const captured = await call('POST', `/api/v1/payments/${id}/capture`, undefined, {
      'X-Api-Key': 'key_test_abc123',
      'X-Api-Secret': 'secret_test_xyz789',
    });
    expect(captured.json).toMatchObject({ status: 'success', captured: true });

    const refund = await call(
      'POST',
      `/api/v1/payments/${id}/refunds`,
      '{ "amount": 1000, "reason": "Customer requested" }',
    );
    expect(refund.status).toBe(201);
    expect(refund.json).toMatchObject({
      payment_id: id,
      amount: 1000,
      reason: 'Customer requested',
      status: 'processed',
    });

    const jobs = await call('GET', '/api/v1/test/jobs/status');
    expect(jobs.json).toMatchObject({ worker_status: 'running' });
    expect(jobs.json.pending).toBeTypeOf('number');

    // The same payment through the main API.
    const pi = await fetch(`${gw.url}/v1/payment_intents/${id}`, {
      headers: { authorization: `Bearer ${gw.secretKey}` },
    });
    expect(await pi.json()).toMatchObject({
      status: 'succeeded',
      amount_received: 50000,
      amount_refunded: 1000,
    });
  });

  it('failure@kassa ends failed; bad input names the field; bad credentials are refused', async () => {
    const failed = await call(
      'POST',
      '/api/v1/payments',
      JSON.stringify({
        amount: 100,
        currency: 'INR',
        method: 'upi',
        order_id: 'ord_f',
        vpa: 'failure@kassa',
      }),
    );
    await until(
      'the failing payment to leave pending',
      async () =>
        (await call('GET', `/api/v1/payments/${failed.json.id}`)).json.status !== 'pending',
    );
    expect((await call('GET', `/api/v1/payments/${failed.json.id}`)).json).toMatchObject({
      status: 'failed',
      error_code: 'upi_declined',
    });
    const bad = await call(
      'POST',
      '/api/v1/payments',
      JSON.stringify({ amount: 100, currency: 'INR', method: 'upi', order_id: 'x' }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('vpa');
    const wrong = await call('GET', `/api/v1/payments/${failed.json.id}`, undefined, {
      'X-Api-Key': 'key_test_abc123',
      'X-Api-Secret': 'nope',
    });
    expect(wrong.status).toBe(401);
  });

  it("the seed's checkout key opens the demo merchant's orders for PaymentGateway", async () => {
    await call(
      'POST',
      '/api/v1/payments',
      JSON.stringify({
        amount: 100,
        currency: 'INR',
        method: 'upi',
        order_id: 'ORDER_SEED',
        vpa: 'test@upi',
      }),
    );
    const intent = await fetch(`${gw.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 2500, currency: 'INR', order_id: 'ORDER_123' }),
    });
    const pi = (await intent.json()) as any;
    const session = await fetch(`${gw.url}/v1/client/checkout_sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer key_test_abc123', 'content-type': 'application/json' },
      body: JSON.stringify({ order_id: 'ORDER_123' }),
    });
    expect(await session.json()).toEqual({
      payment_intent: pi.id,
      client_secret: pi.client_secret,
    });
  });
});
