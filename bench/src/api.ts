import { join } from 'node:path';
import { cpuMs, treeCpuMs } from './cpu.ts';
import { type LoadResult, load, type Measured, measure, pool } from './load.ts';
import {
  type DriverCounts,
  type Gateway,
  startBaseline,
  startGateway,
  startIdeal,
} from './procs.ts';

const CONNECTIONS = 32;
const card = {
  type: 'card',
  card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
};

export interface Timing {
  warmSeconds: number;
  seconds: number;
  rounds: number;
}

export const timing = (quick: boolean): Timing =>
  quick ? { warmSeconds: 1, seconds: 2, rounds: 3 } : { warmSeconds: 3, seconds: 5, rounds: 3 };

export function check(name: string, r: { requests: number; errors: number }) {
  if (r.requests === 0 || r.errors > r.requests * 0.01) {
    throw new Error(`${name}: ${r.errors} errors in ${r.requests} requests`);
  }
}

/** Creates `count` intents with one connection after another, so that what the drivers
 * counted meanwhile divides into one create's share. */
export async function perCall(
  gw: Gateway,
  count: number,
  call: (i: number) => Promise<Response>,
): Promise<DriverCounts> {
  await gw.counts();
  for (let i = 0; i < count; i++) {
    const res = await call(i);
    if (!res.ok) throw new Error(`counting: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  const c = await gw.counts();
  const per = (n: number) => Math.round((n / count) * 100) / 100;
  return {
    statements: per(c.statements),
    prepares: per(c.prepares),
    pg_queries: per(c.pg_queries),
    pg_round_trips: per(c.pg_round_trips),
  };
}

/**
 * What one create and one confirm ask of the database, counted on a gateway of their own
 * with its worker off, so that background polls are not counted as the request's.
 */
export async function countPerCall(env: Record<string, string>, args: string[] = []) {
  const gw = await startGateway({ ...env, KASSA_RUN_WORKER: 'false' }, args, { counted: true });
  try {
    const auth = { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' };
    const create = (order: string) =>
      fetch(`${gw.url}/v1/payment_intents`, {
        method: 'POST',
        headers: auth,
        body: createBody(order),
      });
    // Warm: the first requests fill this process's caches and prepare its statements.
    for (let i = 0; i < 20; i++) await (await create(`warm_${i}`)).arrayBuffer();
    const createCounts = await perCall(gw, 200, (i) => create(`count_${i}`));
    const open: { id: string; client_secret: string }[] = [];
    for (let i = 0; i < 120; i++) {
      open.push((await (await create(`count_confirm_${i}`)).json()) as (typeof open)[number]);
    }
    const confirmOne = (pi: { id: string; client_secret: string }) =>
      fetch(`${gw.url}/v1/client/payment_intents/${pi.id}/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_secret: pi.client_secret, payment_method: card }),
      });
    for (const pi of open.slice(100)) await (await confirmOne(pi)).arrayBuffer();
    const confirmCounts = await perCall(gw, 100, (i) =>
      confirmOne(open[i] as { id: string; client_secret: string }),
    );
    return { create: createCounts, confirm: confirmCounts };
  } finally {
    await gw.stop();
  }
}

export const createBody = (order: string) =>
  JSON.stringify({ amount: 1999, currency: 'usd', order_id: order });

/** A create load against `url` with a fresh order id per request. */
export function createLoad(url: string, key: string, prefix: string) {
  let n = 0;
  return (seconds: number) =>
    load({
      url: `${url}/v1/payment_intents`,
      method: 'POST',
      connections: CONNECTIONS,
      seconds,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      next: () => ({ body: createBody(`${prefix}_${++n}`) }),
    });
}

/**
 * Create, confirm and retrieve against two baselines measured in the same run: a bare
 * Hono "hello" (the machine's HTTP ceiling) and the minimal create on the same stack
 * (the ideal: Hono, zod, one SQLite INSERT with group commit). Each figure is the median
 * of rounds after a warm-up; CPU per request comes from /proc; statements per call from
 * the driver counters.
 */
export async function apiBench(o: { quick: boolean; dir: string }) {
  const t = timing(o.quick);
  const baselineProc = await startBaseline();
  const baseline = await measure({
    ...t,
    run: (seconds) => load({ url: baselineProc.url, connections: CONNECTIONS, seconds }),
    cpu: () => cpuMs(baselineProc.pid),
  });
  await baselineProc.stop();
  check('baseline', baseline);

  const idealProc = await startIdeal({ IDEAL_FILE: join(o.dir, 'ideal.db') });
  const ideal = await measure({
    ...t,
    run: createLoad(idealProc.url, 'sk_test_ideal', 'ideal'),
    cpu: () => cpuMs(idealProc.pid),
  });
  const idealRss = idealProc.peakRssMb();
  await idealProc.stop();
  check('ideal create', ideal);

  const gw = await startGateway({ KASSA_DATABASE_URL: `file:${join(o.dir, 'api.db')}` });
  const auth = { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' };
  const cpu = () => treeCpuMs(gw.pid);
  const create = await measure({ ...t, run: createLoad(gw.url, gw.secretKey, 'bench'), cpu });
  check('create', create);

  const { confirm, intents } = await confirmBench(gw, { quick: o.quick, cpu });

  let g = 0;
  const get = await measure({
    ...t,
    warmSeconds: 0,
    run: (seconds) =>
      load({
        url: gw.url,
        connections: CONNECTIONS,
        seconds,
        headers: auth,
        next: () => ({
          path: `/v1/payment_intents/${(intents[g++ % intents.length] as { id: string }).id}`,
        }),
      }),
    cpu,
  });
  check('get', get);
  const rss = gw.peakRssMb();
  await gw.stop();
  const counts = await countPerCall({ KASSA_DATABASE_URL: `file:${join(o.dir, 'count.db')}` });
  return {
    baseline,
    ideal,
    create,
    confirm,
    get,
    counts,
    rss,
    idealRss,
  };
}

/**
 * Confirm with a test card, each of a fresh intent made beforehand: a warm-up of a fixed
 * number, then timed rounds. Answers the figures and the intents (confirmed by now).
 */
export async function confirmBench(
  gw: Gateway,
  o: { quick: boolean; cpu: () => number; dbCpu?: () => number },
) {
  const t = timing(o.quick);
  const auth = { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' };
  // Intents to confirm, made beforehand (each confirm needs a fresh one): as many as the
  // warm-up's pace says the timed rounds will use, with room to spare.
  const intents: { id: string; client_secret: string }[] = [];
  const makeIntents = async (count: number) => {
    const from = intents.length;
    await pool(
      Array.from({ length: count }, (_, i) => from + i),
      CONNECTIONS,
      async (i) => {
        const res = await fetch(`${gw.url}/v1/payment_intents`, {
          method: 'POST',
          headers: auth,
          body: createBody(`confirm_${i}`),
        });
        intents.push((await res.json()) as { id: string; client_secret: string });
      },
    );
  };
  let k = 0;
  const confirmRun = (seconds: number, amount?: number) =>
    load({
      url: `${gw.url}/v1/client/payment_intents/x/confirm`,
      method: 'POST',
      connections: CONNECTIONS,
      ...(amount ? { amount } : { seconds }),
      headers: { 'content-type': 'application/json' },
      next: () => {
        const pi = intents[k++] ?? { id: 'pi_used_up', client_secret: 'x' };
        return {
          path: `/v1/client/payment_intents/${pi.id}/confirm`,
          body: JSON.stringify({ client_secret: pi.client_secret, payment_method: card }),
        };
      },
    });
  // The warm-up confirms a fixed number, so that it cannot run out of intents.
  const warmCount = o.quick ? 1500 : 4000;
  await makeIntents(warmCount);
  const warm = await confirmRun(0, warmCount);
  check('confirm warm-up', warm);
  // A warm process confirms several times faster than the cold warm-up: six times over,
  // so that no timed round runs out (a round that does fails the bench, never skews it).
  await makeIntents(Math.ceil(warm.rps * t.seconds * t.rounds * 6));
  const confirm = await measure({
    ...t,
    warmSeconds: 0,
    run: confirmRun,
    cpu: o.cpu,
    ...(o.dbCpu && { dbCpu: o.dbCpu }),
  });
  check('confirm', confirm);

  return { confirm, intents };
}

export type { LoadResult, Measured };
