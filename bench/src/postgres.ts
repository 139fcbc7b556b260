import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { dropPgSchema } from '@kassa/server';
import { check, confirmBench, countPerCall, createLoad, timing } from './api.ts';
import { cpuMs, postgresCpuMs, treeCpuMs } from './cpu.ts';
import { measure, pool } from './load.ts';
import { type Gateway, startGateway, startIdeal, startWorker } from './procs.ts';
import { receiver } from './webhooks.ts';

/**
 * The PostgreSQL section, in the same run as the SQLite figures: the minimal create on
 * PostgreSQL (one statement, one round trip) as the ideal, create with one and two gateway
 * processes (`kassa start --processes N`) with the gateway's and PostgreSQL's CPU per
 * create and the round trips a create and a confirm make, confirm with two processes
 * (both booking in the sandbox's one books file, as processes sharing KASSA_DATA_DIR do),
 * and webhook deliveries drained by two `kassa worker` processes. PostgreSQL, the gateways
 * and the load generator share this machine's cores: the CPU figures, not the throughput
 * across processes, say how it scales.
 */
export async function postgresBench(o: { quick: boolean; dir: string; url: string }) {
  const t = timing(o.quick);
  const schema = `bench_${process.pid}`;
  await dropPgSchema(schema, o.url);
  await dropPgSchema(`${schema}_ideal`, o.url);
  const env = {
    KASSA_DATABASE_URL: o.url,
    KASSA_DATABASE_SCHEMA: schema,
    KASSA_DATA_DIR: mkdtempSync(join(o.dir, 'pg-')),
  };
  try {
    const idealProc = await startIdeal({
      IDEAL_DATABASE_URL: o.url,
      IDEAL_SCHEMA: `${schema}_ideal`,
    });
    const ideal = await measure({
      ...t,
      run: createLoad(idealProc.url, 'sk_test_ideal', 'ideal'),
      cpu: () => cpuMs(idealProc.pid),
      dbCpu: postgresCpuMs,
    });
    await idealProc.stop();
    check('pg ideal create', ideal);

    const create = async (processes: number) => {
      const gw = await startGateway(env, ['--processes', String(processes)]);
      const result = await measure({
        ...t,
        run: createLoad(gw.url, gw.secretKey, `pg${processes}`),
        cpu: () => treeCpuMs(gw.pid),
        dbCpu: postgresCpuMs,
      });
      check(`pg create with ${processes} process(es)`, result);
      return { gw, result };
    };
    const one = await create(1);
    const rss = one.gw.peakRssMb();
    await one.gw.stop();
    const two = await create(2);
    // Confirm across two processes: both book in the test processor's one books file.
    const { confirm: confirmP2 } = await confirmBench(two.gw, {
      quick: o.quick,
      cpu: () => treeCpuMs(two.gw.pid),
      dbCpu: postgresCpuMs,
    });
    await two.gw.stop();
    const counts = await countPerCall(env);
    const webhooks = await deliveries(env, o.quick ? 2_000 : 20_000);
    return {
      ideal,
      p1: one.result,
      p2: two.result,
      confirmP2,
      counts,
      rss,
      webhooks,
    };
  } finally {
    await dropPgSchema(schema, o.url);
    await dropPgSchema(`${schema}_ideal`, o.url);
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
