import { describe, expect, it } from 'vitest';
import { CARDS, card, testGateway } from '../testing/harness.ts';

const TOKEN = 'metrics-token-0123456789';

/** The value of one series in Prometheus' text format, or 0 when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const set = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const have = Object.fromEntries(
      [...set.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      return Number(line.split(' ').pop());
    }
  }
  return 0;
}

async function scrape(g: Awaited<ReturnType<typeof testGateway>>) {
  const res = await g.app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('Prometheus metrics', () => {
  it('a payment moves the right counters: outcome by processor, method and decline code', async () => {
    const g = await testGateway({ config: { metricsToken: TOKEN } });
    const before = await scrape(g);
    const ok = { processor: 'sandbox', method: 'card', outcome: 'succeeded', decline_code: '' };
    const declined = {
      processor: 'sandbox',
      method: 'card',
      outcome: 'failed',
      decline_code: 'insufficient_funds',
    };
    expect(sample(before, 'kassa_payment_outcomes_total', ok)).toBe(0);

    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.insufficient));
    await g.confirm(pi, card(CARDS.ok));
    const upi = (await g.createIntent({ currency: 'inr' })).json;
    await g.confirm(upi, { type: 'upi', upi: { vpa: 'success@kassa' } });

    const after = await scrape(g);
    expect(sample(after, 'kassa_payment_outcomes_total', ok)).toBe(1);
    expect(sample(after, 'kassa_payment_outcomes_total', declined)).toBe(1);
    expect(
      sample(after, 'kassa_payment_outcomes_total', {
        processor: 'sandbox',
        method: 'upi',
        outcome: 'processing',
      }),
    ).toBe(1);
    // Requests by route pattern, never by a path with an id in it.
    expect(
      sample(after, 'kassa_http_request_duration_seconds_count', {
        route: '/v1/client/payment_intents/:id/confirm',
        method: 'POST',
        status: '402',
      }),
    ).toBe(1);
    expect(after).not.toContain(pi.id);
    // The job queue, read from the database: the UPI payment's poll is waiting.
    expect(sample(after, 'kassa_jobs', { kind: 'attempt.poll', status: 'queued' })).toBe(1);
    expect(
      sample(after, 'kassa_store_call_duration_seconds_count', {
        kind: 'transaction',
        result: 'ok',
      }),
    ).toBeGreaterThan(0);
  });

  it('counts nothing for a transaction that rolls back', async () => {
    const g = await testGateway({ config: { metricsToken: TOKEN } });
    const outcome = { processor: 'sandbox', method: 'card', outcome: 'succeeded', declineCode: '' };
    await expect(
      g.store.transaction(async (tx) => {
        g.metrics.paymentOutcome(tx, outcome);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await g.store.transaction(async (tx) => g.metrics.paymentOutcome(tx, outcome));
    expect(sample(await scrape(g), 'kassa_payment_outcomes_total', { outcome: 'succeeded' })).toBe(
      1,
    );
  });

  it('a decline code it does not know is counted as `other`: no label is ever 30,000 characters', async () => {
    const g = await testGateway({ config: { metricsToken: TOKEN } });
    const hostile = 'x'.repeat(30_000);
    await g.store.transaction(async (tx) =>
      g.metrics.paymentOutcome(tx, {
        processor: 'sandbox',
        method: 'card',
        outcome: 'failed',
        declineCode: hostile,
      }),
    );
    await g.store.transaction(async (tx) =>
      g.metrics.paymentOutcome(tx, {
        processor: 'sandbox',
        method: 'card',
        outcome: 'failed',
        declineCode: 'insufficient_funds',
      }),
    );
    const text = await scrape(g);
    expect(text).not.toContain(hostile.slice(0, 100));
    expect(sample(text, 'kassa_payment_outcomes_total', { decline_code: 'other' })).toBe(1);
    expect(
      sample(text, 'kassa_payment_outcomes_total', { decline_code: 'insufficient_funds' }),
    ).toBe(1);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThan(400);
  });

  it('times webhook deliveries and counts their outcomes by status class', async () => {
    const g = await testGateway({ config: { metricsToken: TOKEN } });
    g.metrics.webhookAttempt('delivered', 200, 0.12);
    g.metrics.webhookAttempt('failed', 503, 0.4);
    g.metrics.webhookAttempt('failed', null, 15);
    const text = await scrape(g);
    expect(
      sample(text, 'kassa_webhook_delivery_attempts_total', {
        outcome: 'delivered',
        status_class: '2xx',
      }),
    ).toBe(1);
    expect(
      sample(text, 'kassa_webhook_delivery_attempts_total', {
        outcome: 'failed',
        status_class: '5xx',
      }),
    ).toBe(1);
    expect(
      sample(text, 'kassa_webhook_delivery_attempts_total', {
        outcome: 'failed',
        status_class: 'none',
      }),
    ).toBe(1);
    expect(
      sample(text, 'kassa_webhook_delivery_duration_seconds_bucket', {
        outcome: 'failed',
        le: '0.5',
      }),
    ).toBe(1);
    expect(
      sample(text, 'kassa_webhook_delivery_duration_seconds_count', { outcome: 'failed' }),
    ).toBe(2);
  });

  it("is the operator's alone: a bearer token, compared in constant time; not served without one", async () => {
    const g = await testGateway({ config: { metricsToken: TOKEN }, defaultMetrics: true });
    expect((await g.app.request('/metrics')).status).toBe(401);
    const wrong = await g.app.request('/metrics', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe(
      'metrics_token_invalid',
    );
    // A merchant's secret key is not the operator's token.
    const sk = await g.app.request('/metrics', { headers: { authorization: `Bearer ${g.a.sk}` } });
    expect(sk.status).toBe(401);
    // Node's own figures: event-loop lag among them.
    expect(await scrape(g)).toContain('nodejs_eventloop_lag_p99_seconds');

    const closed = await testGateway();
    expect((await closed.app.request('/metrics')).status).toBe(404);
  });
});
