import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { dropPgSchema } from '@kassa/server';
import { type LoadResult, load, pool } from './load.ts';
import { type Gateway, startGateway, startWorker } from './procs.ts';
import { receiver } from './webhooks.ts';

const CONNECTIONS = 32;

/**
 * The PostgreSQL section, in the same run as the SQLite figures: create throughput with
 * one and two gateway processes (`kassa start --processes N`), and webhook deliveries
 * drained by two `kassa worker` processes. PostgreSQL, the gateways and the load
 * generator share this machine's cores.
 */
export async function postgresBench(o: { quick: boolean; dir: string; url: string }) {
  const seconds = o.quick ? 2 : 10;
  const schema = `bench_${process.pid}`;
  await dropPgSchema(schema, o.url);
  const env = {
    KASSA_DATABASE_URL: o.url,
    KASSA_DATABASE_SCHEMA: schema,
    KASSA_DATA_DIR: mkdtempSync(join(o.dir, 'pg-')),
  };
  try {
    const create = async (processes: number) => {
      const gw = await startGateway(env, ['--processes', String(processes)]);
      let n = 0;
      const result = await load({
        url: `${gw.url}/v1/payment_intents`,
        method: 'POST',
        connections: CONNECTIONS,
        seconds,
        headers: { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' },
        next: () => ({
          body: JSON.stringify({
            amount: 1999,
            currency: 'usd',
            order_id: `pg${processes}_${++n}`,
          }),
        }),
      });
      await gw.stop();
      check(`pg create with ${processes} process(es)`, result);
      return result;
    };
    const p1 = await create(1);
    const p2 = await create(2);
    const webhooks = await deliveries(env, o.quick ? 2_000 : 20_000);
    return { p1, p2, webhooks };
  } finally {
    await dropPgSchema(schema, o.url);
  }
}

function check(name: string, r: LoadResult) {
  if (r.requests === 0 || r.errors > r.requests * 0.01) {
    throw new Error(`${name}: ${r.errors} errors in ${r.requests} requests`);
  }
}

/** `count` events queued with the workers off, then drained by two `kassa worker`s. */
async function deliveries(env: Record<string, string>, count: number) {
  const rx = await receiver();
  const filler: Gateway = await startGateway({ ...env, KASSA_RUN_WORKER: 'false' }, [
    '--processes',
    '2',
  ]);
  const post = (path: string, body: unknown) =>
    fetch(`${filler.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${filler.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  await post('/v1/webhook_endpoints', { url: rx.url, enabled_events: ['payment_intent.created'] });
  await pool(
    Array.from({ length: count }, (_, i) => i),
    32,
    async (i) => {
      await post('/v1/payment_intents', { amount: 100, currency: 'usd', order_id: `pgwh_${i}` });
    },
  );
  await filler.stop();
  const workers = await Promise.all([startWorker(env), startWorker(env)]);
  const deadline = Date.now() + 600_000;
  while (rx.arrivals.size < count) {
    if (Date.now() > deadline)
      throw new Error(`pg webhooks: ${rx.arrivals.size} of ${count} delivered`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const times = [...rx.arrivals.values()];
  const perSecond = count / ((Math.max(...times) - Math.min(...times)) / 1000);
  await Promise.all(workers.map((w) => w.stop()));
  await rx.close();
  return { count, perSecond };
}
