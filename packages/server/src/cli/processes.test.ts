import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../testing/receiver.ts';
import {
  freePort,
  type SpawnedGateway,
  spawnGateway,
  spawnWorker,
} from '../testing/spawn-gateway.ts';
import { createTestPgStore, TEST_DATABASE_URL, testStoreKind } from '../testing/test-store.ts';
import { until } from '../testing/until.ts';

/**
 * Real processes on one PostgreSQL: `kassa start --processes 2` (two gateway processes
 * sharing a port) and two `kassa worker`s. The races the store suite runs on two
 * connections, here through HTTP into whichever process the kernel picks.
 */
const onPostgres = testStoreKind() === 'postgres';

async function setup(extra: Record<string, string> = {}) {
  const db = await createTestPgStore();
  const env = {
    KASSA_DATABASE_URL: TEST_DATABASE_URL,
    KASSA_DATABASE_SCHEMA: db.schema,
    KASSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'kassa-procs-')),
    KASSA_RUN_WORKER: 'false',
    KASSA_DATABASE_POOL_SIZE: '4',
    KASSA_WEBHOOK_CONCURRENCY_PER_ENDPOINT: '2',
    KASSA_WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3',
    KASSA_JOB_LOCK_MS: '1500',
    KASSA_WORKER_INTERVAL_MS: '100',
    KASSA_LOG_LEVEL: 'warn',
    ...extra,
  };
  return { db, env };
}

/** Whether a process is this test's own child (or grandchild): another Kassa on the same
 * PostgreSQL server — a second checkout's tests, a running install — is not counted. */
function ours(pid: number): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 16; hops++) {
    if (p === process.pid) return true;
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      p = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      return false;
    }
  }
  return false;
}

/** The pids of this test's processes connected as `kassa-<role>-<pid>` to its database. */
async function connected(role: 'gateway' | 'worker'): Promise<number[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const res = await client.query<{ name: string }>(
      'SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE application_name LIKE $1 AND datname = current_database()',
      [`kassa-${role}-%`],
    );
    return res.rows.map((r) => Number(r.name.split('-').pop())).filter(ours);
  } finally {
    await client.end();
  }
}

describe.runIf(onPostgres)('several gateway and worker processes on one PostgreSQL', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  });

  const api = (gw: SpawnedGateway) => ({
    post: (
      path: string,
      body: unknown,
      headers: Record<string, string> = {},
      signal?: AbortSignal,
    ) =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        signal,
        headers: {
          authorization: `Bearer ${gw.secretKey}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as any })),
    get: (path: string) =>
      fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${gw.secretKey}` } }).then(
        (r) => r.json() as Promise<any>,
      ),
    pay: (intent: { id: string; client_secret: string }, number = '4242424242424242') =>
      fetch(`${gw.url}/v1/client/payment_intents/${intent.id}/confirm`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${gw.publishableKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          client_secret: intent.client_secret,
          payment_method: {
            type: 'card',
            card: { number, exp_month: 12, exp_year: 2031, cvc: '123' },
          },
        }),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as any })),
  });

  /** `kassa start --processes 2` and two `kassa worker`s, all connected, and a webhook
   * endpoint at `hooks`. */
  async function startProcesses(env: Record<string, string>, hooks: string) {
    const gw = await spawnGateway(env, { args: ['--processes', '2'] });
    stops.push(() => gw.stop());
    const workers = [spawnWorker(env), spawnWorker(env)];
    for (const w of workers) stops.push(() => w.stop());
    await until('two gateway processes and two workers', async () => {
      return (await connected('gateway')).length === 2 && (await connected('worker')).length === 2;
    });
    const a = api(gw);
    await a.post('/v1/webhook_endpoints', { url: hooks });
    return { a, workers };
  }

  it('excludes the races across processes, holds the endpoint bound and delivers every event once', async () => {
    const { db, env } = await setup();
    stops.push(() => db.close());
    let inFlight = 0;
    let most = 0;
    const rx = await startReceiver(async (_r, _n, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 40));
      inFlight--;
      res.end('ok');
    });
    stops.push(() => rx.close());
    const { a } = await startProcesses(env, rx.url);

    // The same Idempotency-Key, eight at once: one intent.
    const keyed = await Promise.all(
      Array.from({ length: 8 }, () =>
        a.post(
          '/v1/payment_intents',
          { amount: 10_000, currency: 'eur', order_id: 'IDEM' },
          { 'idempotency-key': 'same-key' },
        ),
      ),
    );
    const keyedIds = new Set(keyed.filter((r) => r.status < 300).map((r) => r.json.id));
    expect(keyedIds.size).toBe(1);
    for (const r of keyed.filter((x) => x.status >= 300)) {
      expect(r.json.error.code).toBe('idempotency_key_in_use');
    }

    // The same order_id, eight at once without keys: one intent.
    const ordered = await Promise.all(
      Array.from({ length: 8 }, () =>
        a.post('/v1/payment_intents', { amount: 10_000, currency: 'eur', order_id: 'ORDER' }),
      ),
    );
    expect(ordered.every((r) => r.status < 300)).toBe(true);
    expect(new Set(ordered.map((r) => r.json.id)).size).toBe(1);

    // Ten refunds of 1,500 at once on 10,000: six go through, never more.
    const paid = ordered[0]?.json;
    expect((await a.pay(paid)).json.status).toBe('succeeded');
    const refunds = await Promise.all(
      Array.from({ length: 10 }, () =>
        a.post('/v1/refunds', { payment_intent: paid.id, amount: 1500 }),
      ),
    );
    expect(refunds.filter((r) => r.status === 201)).toHaveLength(6);
    for (const r of refunds.filter((x) => x.status !== 201)) {
      expect(r.json.error.code).toBe('amount_too_large');
    }
    expect((await a.get(`/v1/payment_intents/${paid.id}`)).amount_refunded).toBe(9000);

    // Capture and cancel of one held payment, four of each at once: one of the two wins.
    const held = (
      await a.post('/v1/payment_intents', {
        amount: 5000,
        currency: 'eur',
        order_id: 'HELD',
        capture_method: 'manual',
      })
    ).json;
    expect((await a.pay(held)).json.status).toBe('requires_capture');
    const ops = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        a.post(`/v1/payment_intents/${held.id}/${i % 2 ? 'cancel' : 'capture'}`, {}),
      ),
    );
    const final = await a.get(`/v1/payment_intents/${held.id}`);
    expect(['succeeded', 'canceled']).toContain(final.status);
    const winner = final.status === 'succeeded' ? 'capture' : 'cancel';
    for (const [i, r] of ops.entries()) {
      const op = i % 2 ? 'cancel' : 'capture';
      // The loser is refused every time; the winner's repeats either joined it (200) or
      // came after it finished (409: the payment is no longer held).
      if (op !== winner) expect(r.status).toBe(409);
      else expect([200, 409]).toContain(r.status);
    }
    expect(ops.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    if (winner === 'capture') expect(final.amount_received).toBe(5000);
    // One outcome recorded: one event of it, whichever process ran which request.
    const heldEvents = (await a.get(`/v1/events?limit=100`)).data
      .filter((e: { data: { object: { id: string } } }) => e.data.object.id === held.id)
      .map((e: { type: string }) => e.type);
    expect(heldEvents.filter((t: string) => /succeeded|canceled/.test(t))).toHaveLength(1);

    // Every event reaches the endpoint once, never more than two at a time.
    const events = (await a.get('/v1/events?limit=100')).data as { id: string }[];
    await until('every event delivered', () => {
      const ids = new Set(rx.received.map((r) => r.headers['webhook-id']));
      return events.every((e) => ids.has(e.id));
    });
    const ids = rx.received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(new Set(ids).size);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  }, 90_000);

  it("the supervisor's metrics port serves the sum of both gateway processes' counters", async () => {
    const metricsPort = await freePort();
    const { db, env } = await setup({ KASSA_METRICS_PORT: String(metricsPort) });
    stops.push(() => db.close());
    const gw = await spawnGateway(env, { args: ['--processes', '2'] });
    stops.push(() => gw.stop());
    await until('two gateway processes', async () => (await connected('gateway')).length === 2);
    // Enough requests that the kernel hands some to each process; nothing else asks for
    // these paths (404s, counted under route "unmatched").
    const n = 40;
    await Promise.all(Array.from({ length: n }, (_, i) => fetch(`${gw.url}/nowhere/${i}`)));
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const unmatched =
      /kassa_http_request_duration_seconds_count\{route="unmatched",method="GET",status="404"\} (\d+)/.exec(
        text,
      )?.[1];
    // Every process's requests, summed: none lost to the process that happened to answer.
    expect(Number(unmatched)).toBe(n);
    // The queue is read from the database once, not once per process.
    expect(text).toMatch(/kassa_jobs/);
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
  });

  it('a SIGKILLed gateway process and worker under load lose nothing acknowledged, and every event is delivered', async () => {
    const { db, env } = await setup();
    stops.push(() => db.close());
    const delivered = new Set<string>();
    const rx = await startReceiver((r, _n, res) => {
      delivered.add(String(r.headers['webhook-id']));
      res.end('ok');
    });
    stops.push(() => rx.close());
    const { a, workers } = await startProcesses(env, rx.url);
    const [victim] = await connected('gateway');

    const acknowledged: string[] = [];
    let failed = 0;
    let sent = 0;
    const load = async () => {
      while (sent < 240) {
        const n = sent++;
        // A request the killed process had taken is not acknowledged; one that no
        // process answers within 20 s is not either (it must not hold the test up).
        const res = await a
          .post(
            '/v1/payment_intents',
            { amount: 100 + n, currency: 'eur', order_id: `LOAD_${n}` },
            {},
            AbortSignal.timeout(20_000),
          )
          .catch(() => null);
        if (res?.status === 201 || res?.status === 200) acknowledged.push(res.json.id);
        else failed++;
      }
    };
    const running = Promise.all(Array.from({ length: 8 }, load));
    await until('load under way', () => acknowledged.length >= 60);
    process.kill(victim as number, 'SIGKILL');
    await workers[0]?.stop('SIGKILL');
    await running;

    // The supervisor replaced the gateway process; the other worker took over the jobs.
    await until('a new gateway process', async () => {
      const now = await connected('gateway');
      return now.length === 2 && !now.includes(victim as number);
    });
    expect(acknowledged.length + failed).toBe(240);
    expect(acknowledged.length).toBeGreaterThan(200);
    for (const id of acknowledged) {
      expect((await a.get(`/v1/payment_intents/${id}`)).id).toBe(id);
    }
    const events = (await a.get('/v1/events?limit=100&type=payment_intent.created')).data;
    expect(events.length).toBeGreaterThan(0);
    const all: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await a.get(`/v1/events?limit=100${after ? `&starting_after=${after}` : ''}`);
      all.push(...page.data.map((e: { id: string }) => e.id));
      if (!page.has_more) break;
      after = page.data.at(-1).id;
    }
    expect(all.length).toBeGreaterThanOrEqual(acknowledged.length);
    await until('every event delivered', () => all.every((id) => delivered.has(id)), 30_000);
  }, 120_000);
});

describe.skipIf(onPostgres)('several gateway and worker processes', () => {
  it.skip('run in the postgres project (KASSA_TEST_STORE=postgres): SQLite has one writer', () => {});
});
