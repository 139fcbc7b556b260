import { join } from 'node:path';
import { type LoadResult, load, pool } from './load.ts';
import { startBaseline, startGateway } from './procs.ts';

const CONNECTIONS = 32;
const card = {
  type: 'card',
  card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
};

/** Create, confirm and retrieve against a bare Hono "hello" measured in the same run. */
export async function apiBench(o: { quick: boolean; dir: string }) {
  const seconds = o.quick ? 2 : 10;
  const baselineProc = await startBaseline();
  const baseline = await load({ url: baselineProc.url, connections: CONNECTIONS, seconds });
  await baselineProc.stop();

  const gw = await startGateway({ KASSA_DATABASE_URL: `file:${join(o.dir, 'api.db')}` });
  const auth = { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' };
  let n = 0;
  const create = await load({
    url: `${gw.url}/v1/payment_intents`,
    method: 'POST',
    connections: CONNECTIONS,
    seconds,
    headers: auth,
    next: () => ({
      body: JSON.stringify({ amount: 1999, currency: 'usd', order_id: `bench_${++n}` }),
    }),
  });

  // Intents to confirm, made beforehand: each confirm needs a fresh one.
  const count = o.quick ? 3000 : 20000;
  const intents: { id: string; client_secret: string }[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    CONNECTIONS,
    async (i) => {
      const res = await fetch(`${gw.url}/v1/payment_intents`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ amount: 1999, currency: 'usd', order_id: `confirm_${i}` }),
      });
      intents.push((await res.json()) as { id: string; client_secret: string });
    },
  );
  let k = 0;
  const confirm = await load({
    url: `${gw.url}/v1/client/payment_intents/x/confirm`,
    method: 'POST',
    connections: CONNECTIONS,
    amount: count,
    headers: { 'content-type': 'application/json' },
    next: () => {
      const pi = intents[k++ % count] as { id: string; client_secret: string };
      return {
        path: `/v1/client/payment_intents/${pi.id}/confirm`,
        body: JSON.stringify({ client_secret: pi.client_secret, payment_method: card }),
      };
    },
  });
  let g = 0;
  const get = await load({
    url: gw.url,
    connections: CONNECTIONS,
    seconds,
    headers: auth,
    next: () => ({ path: `/v1/payment_intents/${(intents[g++ % count] as { id: string }).id}` }),
  });
  const rss = gw.peakRssMb();
  await gw.stop();
  const check = (name: string, r: LoadResult) => {
    if (r.requests === 0 || r.errors > r.requests * 0.01) {
      throw new Error(`${name}: ${r.errors} errors in ${r.requests} requests`);
    }
  };
  check('baseline', baseline);
  check('create', create);
  check('confirm', confirm);
  check('get', get);
  return { baseline, create, confirm, get, rss };
}
