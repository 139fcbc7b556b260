import { verifyWebhook } from '@kassa/node';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../config.ts';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';
import { type Receiver, startReceiver, status } from '../testing/receiver.ts';

let g: TestGateway;
let rx: Receiver;
beforeEach(async () => {
  g = await testGateway({
    realTime: true,
    config: {
      webhooks: {
        ...testConfig().webhooks,
        retrySchedule: [0, 1, 2, 4],
        timeoutMs: 2000,
        concurrencyPerEndpoint: 4,
      },
    },
  });
  rx = await startReceiver();
});
afterEach(async () => {
  await g.worker.stop();
  await rx.close();
});

const createEndpoint = async (body: Record<string, unknown> = {}, key = g.a.sk) =>
  g.call('POST', '/v1/webhook_endpoints', key, { url: rx.url, ...body });

const headersOf = (r: { headers: Record<string, unknown> }) =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

/** Runs every due delivery; with `seconds`, first moves time on. */
const run = async (seconds = 0) => {
  g.clock.advance(seconds * 1000);
  await g.worker.drain();
};

const deliveries = async (endpoint: string) =>
  (await g.call('GET', `/v1/webhook_endpoints/${endpoint}/deliveries`, g.a.sk)).json.data;

describe('webhook endpoints', () => {
  it('returns the secret on create and on reveal, never on read', async () => {
    const ep = await createEndpoint({
      description: 'orders',
      enabled_events: ['payment_intent.*'],
    });
    expect(ep.status).toBe(201);
    expect(ep.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(ep.json.secret.slice(6), 'base64')).toHaveLength(32);
    const read = await g.call('GET', `/v1/webhook_endpoints/${ep.json.id}`, g.a.sk);
    expect(read.json.secret).toBeUndefined();
    expect(read.json).toMatchObject({
      url: rx.url,
      enabled_events: ['payment_intent.*'],
      status: 'enabled',
    });
    const reveal = await g.call('GET', `/v1/webhook_endpoints/${ep.json.id}/secret`, g.a.sk);
    expect(reveal.json.secret).toBe(ep.json.secret);
    expect((await g.call('GET', `/v1/webhook_endpoints/${ep.json.id}`, g.b.sk)).status).toBe(404);
  });

  it.each([
    [{ url: 'ftp://example.com/hook' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ enabled_events: ['payment_intent.paid'] }, 'enabled_events[0]'],
    [{ enabled_events: [] }, 'enabled_events'],
  ])('refuses %j naming %s', async (body, param) => {
    const res = await createEndpoint(body);
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe(param);
  });

  it('refuses loopback, private and link-local targets in test and live mode alike, unless allowed (SSRF)', async () => {
    const strict = await testGateway({
      config: {
        webhooks: {
          ...testConfig().webhooks,
          addressPolicy: { allowPrivate: false, allowed: [] },
        },
      },
    });
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::127.0.0.1]/hook',
      'http://[2002:7f00:1::1]/hook',
      'http://[64:ff9b::a00:1]/hook',
      'http://[fd00::1]/hook',
    ]) {
      for (const key of [strict.a.sk, strict.a.liveSk]) {
        const res = await strict.call('POST', '/v1/webhook_endpoints', key, { url });
        expect(res.status, url).toBe(400);
        expect(res.json.error.code).toBe('url_not_allowed');
      }
    }
    const pub = await strict.call('POST', '/v1/webhook_endpoints', strict.a.liveSk, {
      url: 'https://93.184.216.34/hook',
    });
    expect(pub.status).toBe(201);
    // This gateway's operator allows loopback (as the tests and the demo shop do).
    expect((await createEndpoint({ url: 'http://localhost:9/hook' })).status).toBe(201);
  });

  it('updates, disables and deletes', async () => {
    const ep = (await createEndpoint()).json;
    const patched = await g.call('PATCH', `/v1/webhook_endpoints/${ep.id}`, g.a.sk, {
      enabled_events: ['payment_intent.succeeded'],
      status: 'disabled',
    });
    expect(patched.json).toMatchObject({
      status: 'disabled',
      enabled_events: ['payment_intent.succeeded'],
    });
    await g.createIntent();
    await run();
    expect(rx.received).toHaveLength(0);
    const del = await g.call('DELETE', `/v1/webhook_endpoints/${ep.id}`, g.a.sk);
    expect(del.json).toMatchObject({ id: ep.id, deleted: true });
    expect((await g.call('GET', `/v1/webhook_endpoints/${ep.id}`, g.a.sk)).status).toBe(404);
  });
});

describe('delivery', () => {
  it('delivers every event, signed so that standardwebhooks and @kassa/node both verify it', async () => {
    const { secret } = (await createEndpoint()).json;
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.declined));
    await g.confirm(pi, card(CARDS.ok));
    await run();
    // Every one, once; an endpoint takes several at once, so their order is not promised
    // (as with Stripe): receivers order by the event's `created`.
    const types = rx.events().map((e) => e.type);
    expect(types.sort()).toEqual([
      'payment_intent.created',
      'payment_intent.payment_failed',
      'payment_intent.succeeded',
    ]);
    const official = new Webhook(secret);
    for (const r of rx.received) {
      const headers = headersOf(r);
      const event = JSON.parse(r.body);
      expect(headers['webhook-id']).toBe(event.id);
      expect(official.verify(r.body, headers)).toMatchObject({ id: event.id });
      expect(verifyWebhook(r.body, headers, secret)).toMatchObject({
        id: event.id,
        type: event.type,
      });
      expect(event.data.object).toMatchObject({ id: pi.id, order_id: pi.order_id });
    }
    expect(rx.events().find((e) => e.type === 'payment_intent.succeeded')?.data.object.status).toBe(
      'succeeded',
    );
  });

  it('only sends the events an endpoint asked for', async () => {
    await createEndpoint({ enabled_events: ['payment_intent.succeeded'] });
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    await run();
    expect(rx.events().map((e) => e.type)).toEqual(['payment_intent.succeeded']);
  });

  it('a receiver that fails three times and then recovers gets the event, with one webhook-id', async () => {
    const ep = (await createEndpoint()).json;
    rx.answer((_r, n, res) => {
      res.writeHead(n <= 3 ? 500 : 200);
      res.end(n <= 3 ? 'down for maintenance' : 'thanks');
    });
    await g.createIntent();
    await run();
    await run(1.2);
    await run(2.4);
    expect(rx.received).toHaveLength(3);
    await run(4.8);
    expect(rx.received).toHaveLength(4);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [d] = await deliveries(ep.id);
    expect(d).toMatchObject({ status: 'delivered', attempt_count: 4 });
    expect(d.attempts.map((a: { response_status: number }) => a.response_status)).toEqual([
      500, 500, 500, 200,
    ]);
    expect(d.attempts[0].response_body).toBe('down for maintenance');
    expect(d.attempts[0].latency_ms).toBeTypeOf('number');
  });

  it('waits as the schedule says, with jitter, not sooner', async () => {
    rx.answer(status(500));
    await createEndpoint();
    await g.createIntent();
    await run();
    await run(0.85); // the second try is due at 1 s ± 10 %
    expect(rx.received).toHaveLength(1);
    await run(0.3);
    expect(rx.received).toHaveLength(2);
  });

  it('one that never recovers ends dead, shows the endpoint failing, and can be replayed', async () => {
    const ep = (await createEndpoint()).json;
    const other = (
      await g.call('POST', '/v1/webhook_endpoints', g.a.sk, {
        url: `${rx.url}?other`,
        enabled_events: ['webhook_delivery.dead'],
      })
    ).json;
    rx.answer((r, _n, res) => {
      res.writeHead(
        r.headers['webhook-id'] && !String(r.body).includes('webhook_delivery.dead') ? 503 : 200,
      );
      res.end();
    });
    await g.createIntent();
    for (const s of [0, 1.2, 2.4, 4.8, 10]) await run(s);
    const [d] = await deliveries(ep.id);
    expect(d).toMatchObject({ status: 'dead', attempt_count: 4, next_attempt_at: null });
    expect((await g.call('GET', `/v1/webhook_endpoints/${ep.id}`, g.a.sk)).json.failing).toBe(true);
    const dead = rx.events().filter((e) => e.type === 'webhook_delivery.dead');
    expect(dead).toHaveLength(1);
    expect(dead[0]?.data.object).toMatchObject({ id: d.id, status: 'dead' });
    expect((await deliveries(other.id))[0].status).toBe('delivered');

    rx.answer(status(200));
    const retried = await g.call('POST', `/v1/webhook_deliveries/${d.id}/retry`, g.a.sk);
    expect(retried.json.status).toBe('pending');
    await run();
    expect((await deliveries(ep.id))[0]).toMatchObject({ status: 'delivered' });
    expect((await g.call('GET', `/v1/webhook_endpoints/${ep.id}`, g.a.sk)).json.failing).toBe(
      false,
    );
  });

  it('410 Gone disables the endpoint', async () => {
    const ep = (await createEndpoint()).json;
    rx.answer(status(410));
    await g.createIntent();
    await run();
    const read = (await g.call('GET', `/v1/webhook_endpoints/${ep.id}`, g.a.sk)).json;
    expect(read).toMatchObject({ status: 'disabled' });
    expect(read.disabled_reason).toContain('410');
    await g.createIntent();
    await run(10);
    expect(rx.received).toHaveLength(1);
  });

  it('honours Retry-After when it asks for longer than the schedule', async () => {
    const ep = (await createEndpoint()).json;
    rx.answer((_r, n, res) => {
      if (n === 1) res.writeHead(503, { 'retry-after': '30' });
      res.end();
    });
    await g.createIntent();
    await run();
    const [d] = await deliveries(ep.id);
    expect(d.next_attempt_at - Math.floor(g.clock.now() / 1000)).toBeGreaterThanOrEqual(29);
    await run(5);
    expect(rx.received).toHaveLength(1);
    await run(26);
    expect(rx.received).toHaveLength(2);
  });

  it('during a rotation both secrets verify, and after the overlap only the new one', async () => {
    const ep = (await createEndpoint()).json;
    const rotated = await g.call('POST', `/v1/webhook_endpoints/${ep.id}/rotate_secret`, g.a.sk, {
      expires_in: 60,
    });
    expect(rotated.json.secret).not.toBe(ep.secret);
    await g.createIntent();
    await run();
    const first = rx.received[0];
    if (!first) throw new Error('no webhook');
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [ep.secret, rotated.json.secret]) {
      expect(new Webhook(secret).verify(first.body, headersOf(first))).toBeTruthy();
      expect(verifyWebhook(first.body, headersOf(first), secret)).toBeTruthy();
    }
    g.clock.advance(61_000);
    await g.createIntent();
    await run();
    const second = rx.received[1];
    if (!second) throw new Error('no webhook');
    expect(() => new Webhook(ep.secret).verify(second.body, headersOf(second))).toThrow();
    expect(new Webhook(rotated.json.secret).verify(second.body, headersOf(second))).toBeTruthy();
  });

  it('sends a delivery queued before jobs named its endpoint and event (the delivery alone)', async () => {
    const ep = (await createEndpoint({ enabled_events: ['payment_intent.succeeded'] })).json;
    const pi = (await g.createIntent()).json;
    const [event] = await g.store.read((tx) => tx.events.ofObject(pi.id));
    const { DELIVER_JOB } = await import('../outbox/fan-out.ts');
    const { enqueue } = await import('../worker/enqueue.ts');
    const now = g.clock.now();
    await g.store.transaction(async (tx) => {
      await tx.deliveries.insert({
        id: 'whd_queued_before',
        endpointId: ep.id,
        eventId: event?.id as string,
        merchantId: g.a.id,
        status: 'pending',
        attemptCount: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await enqueue(
        tx,
        DELIVER_JOB,
        { delivery: 'whd_queued_before' },
        {
          runAt: now,
          now,
          merchantId: g.a.id,
          concurrencyKey: `${g.a.id}/${ep.id}`,
        },
      );
    });
    await run();
    expect(rx.events().map((e) => [e.id, e.type])).toEqual([[event?.id, 'payment_intent.created']]);
    expect((await deliveries(ep.id)).map((d: { status: string }) => d.status)).toEqual([
      'delivered',
    ]);
  });

  it('an endpoint whose name resolves to loopback is refused at send time too', async () => {
    // This gateway allows loopback; the address check at connect time is the subject here.
    g.config.webhooks.addressPolicy = { allowPrivate: false, allowed: [] };
    const { createMerchant } = await import('../merchants/merchants.ts');
    const ep = (await createEndpoint({ url: 'https://93.184.216.34/hook' }, g.a.liveSk)).json;
    // As if DNS changed after the endpoint was saved (rebinding).
    await g.store.transaction((tx) =>
      tx.endpoints.update(ep.id, { url: `http://localhost:${rx.port}/hooks` }),
    );
    void createMerchant;
    const merchant = await g.store.read((tx) => tx.merchants.get(g.a.id));
    await g.store.transaction(async (tx) => {
      const { recordEvent } = await import('../outbox/record.ts');
      await recordEvent(tx, {
        merchantId: merchant?.id as string,
        livemode: true,
        type: 'payment_intent.created',
        object: { id: 'pi_live_test' } as never, // only the delivery matters here
        now: g.clock.now(),
      });
    });
    await run();
    expect(rx.received).toHaveLength(0);
    const live = await g.call('GET', `/v1/webhook_endpoints/${ep.id}/deliveries`, g.a.liveSk);
    expect(live.json.data[0].attempts[0].error).toBe('refused: the address is not allowed');
  });

  it('a slow endpoint does not hold up the others', async () => {
    const slow = await startReceiver(() => {}); // never answers
    try {
      await createEndpoint({ url: slow.url });
      await createEndpoint();
      for (let i = 0; i < 6; i++) await g.createIntent();
      g.worker.start();
      const deadline = Date.now() + 5000;
      while (rx.received.length < 6 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(rx.received).toHaveLength(6);
      expect(slow.received.length).toBeLessThanOrEqual(4); // the per-endpoint bound
    } finally {
      await g.worker.stop();
      await slow.close();
    }
  });
});

describe('events API', () => {
  it('lists newest first with type filters and cursors, and redelivers with the same webhook-id', async () => {
    await createEndpoint();
    const pi = (await g.createIntent()).json;
    g.clock.advance(1000);
    await g.confirm(pi, card(CARDS.ok));
    const all = (await g.call('GET', '/v1/events', g.a.sk)).json;
    expect(all.data.map((e: { type: string }) => e.type)).toEqual([
      'payment_intent.succeeded',
      'payment_intent.created',
    ]);
    const typed = (await g.call('GET', '/v1/events?type=payment_intent.created', g.a.sk)).json;
    expect(typed.data).toHaveLength(1);
    const wild = (await g.call('GET', '/v1/events?type=payment_intent.*&limit=1', g.a.sk)).json;
    expect(wild).toMatchObject({ has_more: true });
    const next = (
      await g.call('GET', `/v1/events?limit=1&starting_after=${wild.data[0].id}`, g.a.sk)
    ).json;
    expect(next.data[0].type).toBe('payment_intent.created');
    const one = await g.call('GET', `/v1/events/${next.data[0].id}`, g.a.sk);
    expect(one.json.data.object.id).toBe(pi.id);
    expect((await g.call('GET', `/v1/events/${next.data[0].id}`, g.b.sk)).status).toBe(404);
    expect((await g.call('GET', '/v1/events', g.b.sk)).json.data).toEqual([]);

    await run();
    expect(rx.received).toHaveLength(2);
    const again = await g.call('POST', `/v1/events/${next.data[0].id}/redeliver`, g.a.sk);
    expect(again.json.deliveries).toHaveLength(1);
    await run();
    expect(rx.received).toHaveLength(3);
    expect(rx.received[2]?.headers['webhook-id']).toBe(next.data[0].id);
  });
});
