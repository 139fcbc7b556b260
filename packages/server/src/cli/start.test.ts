import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBundle,
  freePort,
  type SpawnedGateway,
  spawnGateway,
} from '../testing/spawn-gateway.ts';

const dir = mkdtempSync(join(tmpdir(), 'kassa-start-'));
let gw: SpawnedGateway;

// The gateway as `npm start` runs it: the bundle built from these sources, on plain node.
beforeAll(async () => {
  buildBundle();
  gw = await spawnGateway(
    { KASSA_DATABASE_URL: `file:${join(dir, 'kassa.db')}` },
    { bundle: true },
  );
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

const api = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
};

describe('kassa start (the built bundle), on a real port', () => {
  it('prints the demo keys and answers /healthz', async () => {
    expect(gw.secretKey).toMatch(/^sk_test_/);
    expect(gw.publishableKey).toMatch(/^pk_test_/);
    expect(gw.output()).toContain(`${gw.url}/docs`);
    const health = await fetch(`${gw.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it("runs the README's walk-through: create, confirm with 4242, read back succeeded", async () => {
    const created = await api('POST', '/v1/payment_intents', gw.secretKey, {
      amount: 1999,
      currency: 'usd',
      order_id: 'README_1',
    });
    expect(created.status).toBe(201);
    const pi = created.json;
    const confirmed = await api(
      'POST',
      `/v1/client/payment_intents/${pi.id}/confirm`,
      gw.publishableKey,
      {
        client_secret: pi.client_secret,
        payment_method: {
          type: 'card',
          card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' },
        },
      },
    );
    expect(confirmed.json.status).toBe('succeeded');
    const read = await api('GET', `/v1/payment_intents/${pi.id}`, gw.secretKey);
    expect(read.json).toMatchObject({ status: 'succeeded', amount_received: 1999 });
  });

  it('keeps the card number out of the database files and the process output', async () => {
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1'));
    expect(files.length).toBeGreaterThan(0);
    for (const text of [...files, gw.output()]) {
      expect(text).not.toContain('4242424242424242');
      expect(text).not.toContain('4242 4242 4242 4242');
    }
  });

  it('a second gateway on a port in use says so in a sentence, not a stack, and exits', async () => {
    const port = new URL(gw.url).port;
    const attempt = spawnGateway(
      { KASSA_PORT: port, KASSA_DATABASE_URL: `file:${join(dir, 'second.db')}` },
      { bundle: true },
    );
    await expect(attempt).rejects.toThrow(
      new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use .*KASSA_PORT=`),
    );
    await expect(attempt).rejects.not.toThrow(/setupListenHandle|\n\s+at /);
  });

  it('serves the OpenAPI document and readable docs', async () => {
    const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/payment_intents');
    expect(Object.keys(doc.paths)).toContain('/v1/client/payment_intents/{id}/confirm');
    expect(doc.components.schemas.PaymentIntent).toBeDefined();
    expect(doc.webhooks['payment_intent.succeeded']).toBeDefined();
    // The reference page is Redoc, served by the gateway itself (e2e/specs/docs.spec.ts
    // renders it in a browser).
    const docs = await (await fetch(`${gw.url}/docs`)).text();
    expect(docs).toContain('<redoc spec-url="/openapi.json"');
    const redoc = await fetch(`${gw.url}/docs/redoc.standalone.js`);
    expect(redoc.status).toBe(200);
    expect(redoc.headers.get('content-type')).toContain('javascript');
    expect((await redoc.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('serves Prometheus metrics with the token on its port, and without one on the local metrics port', async () => {
    const metricsPort = await freePort();
    const token = 'scrape-token-0123456789abcdef';
    const m = await spawnGateway(
      {
        KASSA_DATABASE_URL: `file:${join(dir, 'metrics.db')}`,
        KASSA_METRICS_TOKEN: token,
        KASSA_METRICS_PORT: String(metricsPort),
      },
      { bundle: true },
    );
    try {
      await fetch(`${m.url}/healthz`);
      expect((await fetch(`${m.url}/metrics`)).status).toBe(401);
      const withToken = await fetch(`${m.url}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(withToken.status).toBe(200);
      const local = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(local).toMatch(
        /kassa_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} [1-9]/,
      );
      expect(local).toContain('nodejs_eventloop_lag_p99_seconds');
      expect(local).toContain('kassa_jobs');
    } finally {
      await m.stop();
    }
  }, 60_000);

  it('keeps the demo merchant and its keys across a restart', async () => {
    await gw.stop();
    const again = await spawnGateway(
      { KASSA_DATABASE_URL: `file:${join(dir, 'kassa.db')}` },
      { bundle: true },
    );
    try {
      expect(again.secretKey).toBe(gw.secretKey);
      const list = await fetch(`${again.url}/v1/payment_intents?order_id=README_1`, {
        headers: { authorization: `Bearer ${again.secretKey}` },
      });
      expect(((await list.json()) as any).data[0].status).toBe('succeeded');
    } finally {
      await again.stop();
    }
  }, 60_000);
});
