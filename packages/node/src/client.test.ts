import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Kassa, KassaError, paymentSignature, verifyPaymentSignature } from './index.ts';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A fake gateway on 127.0.0.1 that answers with `answers` in turn and records requests. */
async function fakeGateway(answers: { status: number; body: unknown }[]) {
  const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] =
    [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const a = answers[Math.min(seen.length - 1, answers.length - 1)] ?? { status: 200, body: {} };
      const html = typeof a.body === 'string';
      res.writeHead(a.status, { 'content-type': html ? 'text/html' : 'application/json' });
      res.end(html ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe('Kassa client', () => {
  it('retries a 5xx with the same Idempotency-Key, so the retry cannot create twice', async () => {
    const gw = await fakeGateway([
      { status: 503, body: { error: { type: 'api_error', code: 'unavailable', message: 'busy' } } },
      { status: 201, body: { id: 'pi_1', status: 'requires_payment_method' } },
    ]);
    const kassa = new Kassa('sk_test_abc', { baseUrl: gw.url });
    const pi = await kassa.paymentIntents.create({ amount: 100, currency: 'usd', order_id: 'o1' });
    expect(pi.id).toBe('pi_1');
    expect(gw.seen).toHaveLength(2);
    const keys = gw.seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^kassa-node-/);
    expect(keys[1]).toBe(keys[0]);
    expect(gw.seen[0]?.headers.authorization).toBe('Bearer sk_test_abc');
  });

  it('uses the caller’s Idempotency-Key and throws a typed error for a 4xx without retrying', async () => {
    const gw = await fakeGateway([
      {
        status: 409,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'order_id_conflict',
            message: 'no',
            param: 'order_id',
            request_id: 'req_1',
          },
        },
      },
    ]);
    const kassa = new Kassa('sk_test_abc', { baseUrl: gw.url });
    const err = await kassa.paymentIntents
      .create({ amount: 100, currency: 'usd', order_id: 'o1' }, { idempotencyKey: 'order-o1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KassaError);
    expect(err).toMatchObject({
      statusCode: 409,
      code: 'order_id_conflict',
      param: 'order_id',
      requestId: 'req_1',
    });
    expect(gw.seen).toHaveLength(1);
    expect(gw.seen[0]?.headers['idempotency-key']).toBe('order-o1');
  });

  it('retries a connection error, then gives up with a KassaError', async () => {
    const kassa = new Kassa('sk_test_abc', { baseUrl: 'http://127.0.0.1:1', maxRetries: 1 });
    const err = await kassa.paymentIntents.retrieve('pi_1').catch((e) => e);
    expect(err).toBeInstanceOf(KassaError);
    expect(err).toMatchObject({ statusCode: 0, code: 'connection_error' });
  });

  it('retries a 5xx whose body is a proxy’s HTML page, and reports it as a KassaError', async () => {
    const gw = await fakeGateway([
      { status: 502, body: '<html>Bad Gateway</html>' },
      { status: 502, body: '<html>Bad Gateway</html>' },
    ]);
    const kassa = new Kassa('sk_test_abc', { baseUrl: gw.url, maxRetries: 1 });
    const err = await kassa.refunds.create({ payment_intent: 'pi_1' }).catch((e) => e);
    expect(err).toBeInstanceOf(KassaError);
    expect(err).toMatchObject({ statusCode: 502, code: 'server_error' });
    expect(gw.seen).toHaveLength(2);
    expect(gw.seen[1]?.headers['idempotency-key']).toBe(gw.seen[0]?.headers['idempotency-key']);
  });

  it('walks every page with for await, passing the filters and the cursor on', async () => {
    const intent = (id: string) => ({ id, object: 'payment_intent', status: 'succeeded' });
    const gw = await fakeGateway([
      {
        status: 200,
        body: { object: 'list', data: [intent('pi_3'), intent('pi_2')], has_more: true },
      },
      { status: 200, body: { object: 'list', data: [intent('pi_1')], has_more: false } },
      { status: 200, body: { object: 'list', data: [intent('pi_3')], has_more: true } },
    ]);
    const kassa = new Kassa('sk_test_abc', { baseUrl: gw.url });
    const ids: string[] = [];
    for await (const pi of kassa.paymentIntents.list({ limit: 2, status: 'succeeded' })) {
      ids.push(pi.id);
    }
    expect(ids).toEqual(['pi_3', 'pi_2', 'pi_1']);
    expect(gw.seen.map((s) => s.url)).toEqual([
      '/v1/payment_intents?limit=2&status=succeeded',
      '/v1/payment_intents?limit=2&status=succeeded&starting_after=pi_2',
    ]);
    // Awaited, the same call is one page.
    const page = await kassa.paymentIntents.list({ limit: 2 });
    expect(page.has_more).toBe(true);
    expect(gw.seen).toHaveLength(3);
  });

  it('refuses a publishable key', () => {
    expect(() => new Kassa('pk_test_abc', { baseUrl: 'http://x' })).toThrow(/secret key/);
  });
});

describe('verifyPaymentSignature', () => {
  it('accepts the signature of this order and intent under this key only', () => {
    const sig = paymentSignature('ORDER_1', 'pi_1', 'sk_test_key');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    const result = { order_id: 'ORDER_1', payment_intent_id: 'pi_1', signature: sig };
    expect(verifyPaymentSignature(result, 'sk_test_key')).toBe(true);
    expect(verifyPaymentSignature(result, 'sk_test_other')).toBe(false);
    expect(verifyPaymentSignature({ ...result, order_id: 'ORDER_2' }, 'sk_test_key')).toBe(false);
    expect(verifyPaymentSignature({ ...result, signature: 'zz' }, 'sk_test_key')).toBe(false);
  });
});
