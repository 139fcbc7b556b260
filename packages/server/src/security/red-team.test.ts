// The findings of two red-team reviews, replayed from the outside: HTTP against a real
// gateway process on 127.0.0.1. Each case failed on the code the reviews attacked.
import { createHash, createHmac } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRedirectNotification } from '@kassa/processors';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type SpawnedGateway, spawnGateway } from '../testing/spawn-gateway.ts';
import { until } from '../testing/until.ts';

const PAN = '4242424242424242';
const CVC = '737';
const running: SpawnedGateway[] = [];
afterAll(async () => {
  for (const g of running) await g.stop('SIGKILL');
});

async function gateway(dir: string, env: Record<string, string> = {}) {
  const gw = await spawnGateway({
    KASSA_DATABASE_URL: `file:${join(dir, 'kassa.db')}`,
    KASSA_LOG_LEVEL: 'warn',
    KASSA_WORKER_INTERVAL_MS: '50',
    ...env,
  });
  running.push(gw);
  return gw;
}

async function call(
  gw: SpawnedGateway,
  method: string,
  path: string,
  body?: unknown,
  opts: { key?: string; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.key ?? gw.secretKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

const card = (number = PAN) => ({
  type: 'card',
  card: { number, exp_month: 12, exp_year: 2031, cvc: CVC },
});

/** A paid intent (through the client API, as the hosted page pays). */
async function paid(gw: SpawnedGateway, order: string, extra: Record<string, unknown> = {}) {
  const pi = (
    await call(gw, 'POST', '/v1/payment_intents', {
      amount: 2000,
      currency: 'eur',
      order_id: order,
      ...extra,
    })
  ).json;
  const confirmed = await call(
    gw,
    'POST',
    `/v1/client/payment_intents/${pi.id}/confirm`,
    { client_secret: pi.client_secret, payment_method: card() },
    { key: gw.publishableKey },
  );
  expect(confirmed.status).toBe(200);
  return pi as { id: string; client_secret: string };
}

/** The capture or cancel an intent has under way, as the gateway's database holds it. */
function operationOf(dir: string, id: string): string | null {
  const db = new Database(join(dir, 'kassa.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT operation FROM payment_intents WHERE id = ?').get(id) as
      | { operation: string | null }
      | undefined;
    return row?.operation ?? null;
  } finally {
    db.close();
  }
}

/** The sandbox's books (its own SQLite file in the data directory): every operation. */
function ledger(dir: string) {
  const db = new Database(join(dir, 'sandbox-ledger.db'), { readonly: true });
  try {
    return db.prepare('SELECT op, kind, reference FROM operations ORDER BY seq').all() as {
      op: string;
      kind: string;
      reference: string;
    }[];
  } finally {
    db.close();
  }
}

describe('red team: money moves once', () => {
  it('refunds killed mid-call and retried with their keys are paid once each (finding 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-rt-refund-'));
    const env = { KASSA_IDEMPOTENCY_LEASE_MS: '2000' };
    const first = await gateway(dir, env);
    const intents = await Promise.all(
      Array.from({ length: 20 }, (_, i) => paid(first, `RT_REFUND_${i}`)),
    );
    await first.stop('SIGTERM');
    // The processor now takes seconds to answer: the kill lands mid-call.
    const slow = await gateway(dir, { ...env, KASSA_SANDBOX_LATENCY_MS: '3000' });
    const refund = (gw: SpawnedGateway, pi: { id: string }) =>
      call(
        gw,
        'POST',
        '/v1/refunds',
        { payment_intent: pi.id, amount: 500 },
        { headers: { 'idempotency-key': `refund-${pi.id}` } },
      ).catch(() => null);
    const inFlight = intents.map((pi) => refund(slow, pi));
    // Kill it once the refunds are committed and waiting on the processor.
    await until('refunds committed', async () => {
      const list = await call(slow, 'GET', '/v1/refunds?limit=100');
      return list.json.data.length >= intents.length / 2;
    });
    await slow.stop('SIGKILL');
    await Promise.all(inFlight);

    const again = await gateway(dir, env);
    // The kill landed mid-call: refunds were committed and never heard back from.
    const pending = await call(again, 'GET', '/v1/refunds?limit=100');
    expect(pending.json.data.filter((r: any) => r.status === 'pending').length).toBeGreaterThan(0);
    // A retry inside the dead request's lease is told to wait (409), not run twice; once
    // the lease has run out the retry takes the key over and resumes the refund.
    const early = await refund(again, intents[0] as { id: string });
    expect([201, 409]).toContain(early?.status);
    await until('the dead requests’ leases to run out', async () => {
      const res = await refund(again, intents[0] as { id: string });
      return res?.status !== 409;
    });
    for (const pi of intents) {
      const res = await refund(again, pi);
      expect(res?.status, pi.id).toBe(201);
      expect(res?.json.amount).toBe(500);
    }
    for (const pi of intents) {
      const list = await call(again, 'GET', `/v1/refunds?payment_intent=${pi.id}&limit=10`);
      expect(list.json.data, pi.id).toHaveLength(1);
    }
    // At the processor: one refund operation per refund, never two.
    const ops = ledger(dir).filter((r) => r.kind === 'refund');
    expect(ops).toHaveLength(intents.length);
    expect(new Set(ops.map((o) => o.op)).size).toBe(intents.length);
  }, 60_000);

  it('a refund still running past its key’s lease is resumed by the retry, not made twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-rt-lease-'));
    const first = await gateway(dir);
    const pi = await paid(first, 'RT_LEASE');
    await first.stop('SIGTERM');
    const gw = await gateway(dir, {
      KASSA_IDEMPOTENCY_LEASE_MS: '1000',
      KASSA_SANDBOX_LATENCY_MS: '2500',
    });
    const send = () =>
      call(
        gw,
        'POST',
        '/v1/refunds',
        { payment_intent: pi.id, amount: 300 },
        { headers: { 'idempotency-key': 'slow-refund' } },
      );
    const slow = send();
    // Retried until the first request's lease has run out (a 409 before that): the refund
    // is still at the processor then (it takes 2.5 s), and the retry resumes it.
    let retry = await send();
    await until('the first request’s lease to run out', async () => {
      if (retry.status !== 409) return true;
      retry = await send();
      return false;
    });
    const original = await slow;
    expect(retry.status).toBe(201);
    expect(original.status).toBe(201);
    expect(retry.json.id).toBe(original.json.id);
    const list = await call(gw, 'GET', `/v1/refunds?payment_intent=${pi.id}&limit=10`);
    expect(list.json.data).toHaveLength(1);
    expect(ledger(dir).filter((r) => r.kind === 'refund')).toHaveLength(1);
  }, 60_000);

  it('a capture sent while a cancel is at the processor is refused; nothing is taken (finding 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-rt-race-'));
    const gw = await gateway(dir, { KASSA_SANDBOX_LATENCY_MS: '300' });
    for (let trial = 0; trial < 2; trial++) {
      const pi = await paid(gw, `RT_RACE_${trial}`, { capture_method: 'manual' });
      const cancel = call(gw, 'POST', `/v1/payment_intents/${pi.id}/cancel`, {});
      // The cancel has claimed the payment in the database and is at the processor (300 ms).
      await until('the cancel to be at the processor', () => operationOf(dir, pi.id) === 'cancel');
      const capture = await call(gw, 'POST', `/v1/payment_intents/${pi.id}/capture`, {});
      expect(capture.status).toBe(409);
      expect((await cancel).json.status).toBe('canceled');
      const after = (await call(gw, 'GET', `/v1/payment_intents/${pi.id}`)).json;
      expect(after).toMatchObject({ status: 'canceled', amount_received: 0 });
    }
    const captures = ledger(dir).filter((r) => r.kind === 'capture');
    expect(captures).toHaveLength(0);
  }, 30_000);
});

describe('red team: card data cannot be rebuilt from a copy of the database (finding 2)', () => {
  it('a known BIN and the stored last 4, expiry and fingerprint do not give the PAN back; the request hash does not give the CVC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-rt-pan-'));
    const gw = await gateway(dir);
    const pi = (
      await call(gw, 'POST', '/v1/payment_intents', {
        amount: 1500,
        currency: 'eur',
        order_id: 'RT_PAN',
      })
    ).json;
    const body = { client_secret: pi.client_secret, payment_method: card() };
    const path = `/v1/client/payment_intents/${pi.id}/confirm`;
    const res = await call(gw, 'POST', path, body, {
      key: gw.publishableKey,
      headers: { 'idempotency-key': 'rt-pan-1' },
    });
    expect(res.status).toBe(200);
    await gw.stop('SIGTERM');
    const copy = join(dir, 'stolen.db');
    copyFileSync(join(dir, 'kassa.db'), copy);
    const db = new Database(copy, { readonly: true });
    const attempt = db
      .prepare('SELECT card_last4, card_fingerprint FROM payment_attempts WHERE intent_id = ?')
      .get(pi.id) as { card_last4: string; card_fingerprint: string };
    const hashes = (
      db.prepare('SELECT request_hash FROM idempotency_keys').all() as { request_hash: string }[]
    ).map((r) => r.request_hash);
    // Every value the database holds that could be a key.
    const keys = (db.prepare('SELECT value FROM settings').all() as { value: string }[]).map(
      (r) => r.value,
    );
    db.close();
    expect(attempt.card_last4).toBe('4242');
    expect(hashes).toHaveLength(1);

    const fp = (key: string, pan: string) =>
      createHmac('sha256', key).update(pan).digest('base64url').slice(0, 16);
    // The attack: BIN 424242 and last 4 known, six digits to guess (a million tries, the
    // budget), with every candidate key found in the database.
    let found = false;
    for (let middle = 0; middle < 1_000_000 && !found; middle++) {
      const pan = `424242${String(middle).padStart(6, '0')}4242`;
      for (const key of keys) if (fp(key, pan) === attempt.card_fingerprint) found = true;
    }
    expect(found).toBe(false);
    // The test can fail: with the install's key (kept beside the database, not in it)
    // the same search finds the card at once.
    const secrets = JSON.parse(readFileSync(join(dir, 'kassa-secrets.json'), 'utf8'));
    expect(fp(secrets.fingerprintKey, PAN)).toBe(attempt.card_fingerprint);
    for (const key of keys) expect(key).not.toBe(secrets.fingerprintKey);

    // The CVC from the request hash: all 1,000 CVCs with the body exactly as sent.
    const guesses = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
    const hit = guesses.find((cvc) => {
      const sent = JSON.stringify({
        ...body,
        payment_method: { type: 'card', card: { ...body.payment_method.card, cvc } },
      });
      return (
        createHash('sha256').update(`POST ${path}\n${sent}`).digest('hex') === hashes[0] ||
        createHash('sha256').update(sent).digest('hex') === hashes[0]
      );
    });
    expect(hit).toBeUndefined();
    const file = readFileSync(join(dir, 'kassa.db'));
    expect(file.includes(PAN)).toBe(false);
  }, 60_000);
});

describe('red team: the gateway’s own network and notifications', () => {
  it('a test-mode endpoint cannot point at, or read back, an internal service (finding 6)', async () => {
    const internal = createServer((_req, res) => res.end('INTERNAL-SECRET-42'));
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
    const port = (internal.address() as { port: number }).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'kassa-rt-ssrf-'));
      const strict = await gateway(dir, { KASSA_WEBHOOK_ALLOWED_HOSTS: '' });
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `http://localhost:${port}/`,
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.1/',
        'http://[::127.0.0.1]/',
      ]) {
        const res = await call(strict, 'POST', '/v1/webhook_endpoints', { url });
        expect(res.status, url).toBe(400);
        expect(res.json.error.code).toBe('url_not_allowed');
      }
      // Where the operator allows loopback, the answer's body is still not read back.
      const allowed = await gateway(mkdtempSync(join(tmpdir(), 'kassa-rt-ssrf2-')));
      const ep = await call(allowed, 'POST', '/v1/webhook_endpoints', {
        url: `http://127.0.0.1:${port}/`,
      });
      expect(ep.status).toBe(201);
      await call(allowed, 'POST', '/v1/payment_intents', {
        amount: 100,
        currency: 'eur',
        order_id: 'RT_SSRF',
      });
      let deliveries: any;
      await until('a delivery attempt', async () => {
        deliveries = await call(allowed, 'GET', `/v1/webhook_endpoints/${ep.json.id}/deliveries`);
        return deliveries.json.data?.[0]?.attempts?.length > 0;
      });
      expect(deliveries.text).not.toContain('INTERNAL-SECRET-42');
      expect(deliveries.json.data[0].attempts[0].response_status).toBe(200);
    } finally {
      internal.close();
    }
  }, 60_000);

  it('a notification signed with the old built-in secret is refused (finding 8)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-rt-forge-'));
    const gw = await gateway(dir);
    const pi = (
      await call(gw, 'POST', '/v1/payment_intents', {
        amount: 900,
        currency: 'eur',
        order_id: 'RT_FORGE',
        payment_method_types: ['redirect'],
      })
    ).json;
    const started = await call(
      gw,
      'POST',
      `/v1/client/payment_intents/${pi.id}/confirm`,
      { client_secret: pi.client_secret, payment_method: { type: 'redirect' } },
      { key: gw.publishableKey },
    );
    const reference = /rdr_[A-Za-z0-9]+/.exec(started.json.next_action.url)?.[0] as string;
    expect(reference).toBeTruthy();
    const body = JSON.stringify({ id: 'ntf_forged', reference, status: 'success' });
    const forged = await fetch(`${gw.url}/v1/processor_webhooks/redirect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'kassa-redirect-signature': signRedirectNotification(
          body,
          'redirect_notification_secret',
          Math.floor(Date.now() / 1000),
        ),
      },
      body,
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    const after = await call(gw, 'GET', `/v1/payment_intents/${pi.id}`);
    expect(after.json.status).not.toBe('succeeded');
    await gw.stop('SIGTERM');
    // And the gateway refuses to start with that default.
    await expect(
      gateway(dir, { KASSA_REDIRECT_SECRET: 'redirect_notification_secret' }),
    ).rejects.toThrow(/published default/);
  }, 60_000);

  it('a 200 MB form to a processor page is cut off at the body limit (finding 9)', async () => {
    const gw = await gateway(mkdtempSync(join(tmpdir(), 'kassa-rt-body-')));
    const url = new URL(`${gw.url}/processors/sandbox/3ds/sbx_x.abcdefgh`);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    /** Streams up to 200 MB, stopping as soon as the gateway answers or hangs up. */
    const post = (declared: boolean) =>
      new Promise<{ status: number; sent: number }>((resolve) => {
        let sent = 0;
        let status = 0;
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(declared ? { 'content-length': String(200 * 1024 * 1024) } : {}),
            },
          },
          (res) => {
            status = res.statusCode ?? 0;
            res.resume();
            res.on('end', () => resolve({ status, sent }));
          },
        );
        // The gateway closes the connection after its 413: a write may then fail first.
        req.on('error', () => resolve({ status, sent }));
        if (declared) {
          // The declared length alone must be refused: send the headers and wait.
          req.flushHeaders();
          return;
        }
        const pump = () => {
          while (!status && !req.destroyed && sent < 200 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
    const declared = await post(true);
    expect(declared.status).toBe(413);
    const streamed = await post(false);
    expect([0, 413]).toContain(streamed.status);
    expect(streamed.sent).toBeLessThan(50 * 1024 * 1024);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 60_000);
});

describe('red team: the browser-facing API (findings 4 and 7)', () => {
  it('a publishable key cannot use up the merchant’s Idempotency-Keys', async () => {
    const gw = await gateway(mkdtempSync(join(tmpdir(), 'kassa-rt-ns-')));
    await call(
      gw,
      'POST',
      '/v1/client/checkout_sessions',
      { order_id: 'order-9001' },
      {
        key: gw.publishableKey,
        headers: { 'idempotency-key': 'order-9001' },
      },
    );
    const created = await call(
      gw,
      'POST',
      '/v1/payment_intents',
      { amount: 100, currency: 'eur', order_id: 'order-9001' },
      { headers: { 'idempotency-key': 'order-9001' } },
    );
    expect(created.status).toBe(201);
  }, 30_000);

  it('key + order id cannot redirect the shopper elsewhere, and say nothing of paid orders', async () => {
    const gw = await gateway(mkdtempSync(join(tmpdir(), 'kassa-rt-return-')));
    const pi = (
      await call(gw, 'POST', '/v1/payment_intents', {
        amount: 700,
        currency: 'eur',
        order_id: 'RT_RETURN',
        return_url: 'http://localhost:3000/orders/RT_RETURN',
      })
    ).json;
    const session = await call(
      gw,
      'POST',
      '/v1/client/checkout_sessions',
      { order_id: 'RT_RETURN' },
      { key: gw.publishableKey },
    );
    const poisoned = await call(
      gw,
      'POST',
      `/v1/client/payment_intents/${pi.id}/confirm`,
      {
        client_secret: session.json.client_secret,
        payment_method: card('4000000000000002'),
        return_url: 'https://attacker.example/phish',
      },
      { key: gw.publishableKey },
    );
    expect(poisoned.status).toBe(402);
    const after = await call(gw, 'GET', `/v1/payment_intents/${pi.id}`);
    expect(after.json.return_url).toBe('http://localhost:3000/orders/RT_RETURN');
    expect(after.text).not.toContain('attacker.example');
  }, 30_000);
});

describe('red team: the card-testing limit (finding 10)', () => {
  it('cannot be reset by 10,001 other addresses, and groups an IPv6 /64 as one client', async () => {
    const { testGateway } = await import('../testing/harness.ts');
    const g = await testGateway({ config: { confirmsPerMinutePerClient: 3 } });
    const from = (address: string, family = 'IPv4') =>
      g.app.request(
        '/v1/client/checkout_sessions',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${g.a.pk}`, 'content-type': 'application/json' },
          body: JSON.stringify({ order_id: 'NOPE' }),
        },
        { incoming: { socket: { remoteAddress: address, remoteFamily: family } } },
      );
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.50')).status).toBe(404);
    expect((await from('203.0.113.50')).status).toBe(429);
    for (let i = 0; i < 10_001; i++) {
      await from(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    }
    expect((await from('203.0.113.50')).status).toBe(429);
    // Every address of one /64 is one client.
    for (let i = 0; i < 3; i++) await from(`2001:db8:1:2::${i + 1}`, 'IPv6');
    expect((await from('2001:db8:1:2::ffff', 'IPv6')).status).toBe(429);
    expect((await from('2001:db8:1:3::1', 'IPv6')).status).toBe(404);
    await g.store.close();
  }, 120_000);
});
