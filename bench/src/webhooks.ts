import { createServer } from 'node:http';
import { join } from 'node:path';
import { createSqliteStore } from '@kassa/server';
import { percentile, pool } from './load.ts';
import { startGateway } from './procs.ts';

/** A receiver that answers 200 at once and notes when each event first arrived. */
export async function receiver() {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    if (!arrivals.has(id)) arrivals.set(id, Date.now());
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    arrivals,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`webhooks: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Throughput: `count` events queued while the worker is off, then drained by a gateway
 * with its worker on. Latency: events made one by one while the worker runs, from the
 * event's commit to the receiver's first sight of it.
 */
export async function webhookBench(o: { quick: boolean; dir: string }) {
  const count = o.quick ? 2_000 : 20_000;
  const paced = o.quick ? 200 : 1_000;
  const file = join(o.dir, 'webhooks.db');
  const rx = await receiver();
  const env = { KASSA_DATABASE_URL: `file:${file}`, KASSA_LOG_LEVEL: 'warn' };

  const filler = await startGateway({ ...env, KASSA_RUN_WORKER: 'false' });
  const auth = { authorization: `Bearer ${filler.secretKey}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown) =>
    fetch(`${filler.url}${path}`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(body),
    }).then((r) => r.json());
  await post('/v1/webhook_endpoints', { url: rx.url, enabled_events: ['payment_intent.created'] });
  await pool(
    Array.from({ length: count }, (_, i) => i),
    32,
    async (i) => {
      await post('/v1/payment_intents', { amount: 100, currency: 'usd', order_id: `wh_${i}` });
    },
  );
  await filler.stop();

  const gw = await startGateway(env);
  await until(() => rx.arrivals.size >= count, 600_000, `${count} deliveries`);
  const times = [...rx.arrivals.values()];
  const perSecond = count / ((Math.max(...times) - Math.min(...times)) / 1000);

  rx.arrivals.clear();
  const ids: string[] = [];
  await pool(
    Array.from({ length: paced }, (_, i) => i),
    4,
    async (i) => {
      const res = await fetch(`${gw.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 100, currency: 'usd', order_id: `paced_${i}` }),
      });
      ids.push(((await res.json()) as { id: string }).id);
      await new Promise((r) => setTimeout(r, 5));
    },
  );
  await until(() => rx.arrivals.size >= paced, 60_000, 'paced deliveries');
  await gw.stop();
  await rx.close();

  // Commit times are the events' created_at, read from the database afterwards.
  const store = createSqliteStore({ filename: file });
  const latencies: number[] = [];
  await store.read(async (tx) => {
    for (const [eventId, at] of rx.arrivals) {
      const event = await tx.events.get(eventId);
      if (event) latencies.push(at - event.createdAt);
    }
  });
  await store.close();
  return {
    count,
    perSecond,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    paced: latencies.length,
  };
}
