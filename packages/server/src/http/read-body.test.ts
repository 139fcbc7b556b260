import { createServer, request, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGateway } from '../testing/harness.ts';

/** Bodies as they come over a real socket (app.request() in other tests has none). */
describe('request bodies over HTTP', () => {
  let g: Awaited<ReturnType<typeof testGateway>>;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    g = await testGateway();
    server = createServer(getRequestListener(g.app.fetch));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  /** A raw request; `chunks` are written one by one with chunked transfer encoding. */
  function send(
    path: string,
    o: { headers?: Record<string, string>; body?: string; chunks?: string[] } = {},
  ) {
    return new Promise<{ status: number; json: any; headers: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = request(
          `${base}${path}`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${g.a.sk}`,
              'content-type': 'application/json',
              ...o.headers,
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                json: JSON.parse(text),
                headers: res.headers,
              }),
            );
          },
        );
        // The server may answer and close before all of an oversized body is written.
        req.on('error', (err) => (err.message.includes('EPIPE') ? undefined : reject(err)));
        if (o.chunks) {
          for (const c of o.chunks) req.write(c);
          req.end();
        } else req.end(o.body);
      },
    );
  }

  it('creates an intent from a JSON body, and replays it for the same Idempotency-Key', async () => {
    const body = JSON.stringify({ amount: 2500, currency: 'inr', order_id: 'wire_1' });
    const first = await send('/v1/payment_intents', {
      body,
      headers: { 'idempotency-key': 'wire-key-1' },
    });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ amount: 2500, currency: 'INR', order_id: 'wire_1' });
    const again = await send('/v1/payment_intents', {
      body,
      headers: { 'idempotency-key': 'wire-key-1' },
    });
    expect(again.json.id).toBe(first.json.id);
    const other = await send('/v1/payment_intents', {
      body: JSON.stringify({ amount: 1, currency: 'inr', order_id: 'wire_2' }),
      headers: { 'idempotency-key': 'wire-key-1' },
    });
    expect(other.status).toBe(422);
  });

  it('reads a chunked body, and names the field a bad one lacks', async () => {
    const ok = await send('/v1/payment_intents', {
      chunks: ['{"amount": 700, "curr', 'ency": "usd", "order_id": "wire_3"}'],
    });
    expect(ok.status).toBe(201);
    const missing = await send('/v1/payment_intents', {
      chunks: ['{"currency": "usd", ', '"order_id": "wire_4"}'],
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
  });

  it('answers malformed JSON with 400', async () => {
    const bad = await send('/v1/payment_intents', { body: '{"amount": 1' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_json');
  });

  it('refuses a body over 64 KB with 413, declared or streamed, and closes the connection', async () => {
    const big = JSON.stringify({
      amount: 1,
      currency: 'usd',
      order_id: 'x',
      description: 'x'.repeat(70_000),
    });
    const declared = await send('/v1/payment_intents', { body: big });
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('body_too_large');
    expect(declared.headers.connection).toBe('close');
    const streamed = await send('/v1/payment_intents', {
      chunks: Array.from({ length: 10 }, (_, i) => big.slice(i * 7_100, (i + 1) * 7_100)),
    });
    expect(streamed.status).toBe(413);
    expect(streamed.json.error.code).toBe('body_too_large');
    // Nothing was written for either.
    const list = await g.call('GET', '/v1/payment_intents?order_id=x', g.a.sk);
    expect(list.json.data).toEqual([]);
  });
});
