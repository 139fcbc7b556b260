import { join } from 'node:path';
import { newId } from '@kassa/protocol';
import {
  createDashboardUser,
  createSqliteStore,
  ensureDemoMerchant,
  foldOverviewStats,
  type IntentRow,
  systemClock,
} from '@kassa/server';
import { load, median } from './load.ts';
import { startGateway } from './procs.ts';

const STATUSES: IntentRow['status'][] = [
  'succeeded',
  'succeeded',
  'succeeded',
  'canceled',
  'expired',
  'failed',
];

/** Fills a database with `count` intents of the demo merchant through the store. */
export async function fill(file: string, count: number) {
  const store = createSqliteStore({ filename: file, synchronous: 'NORMAL' });
  const demo = await ensureDemoMerchant(store, systemClock, []);
  await createDashboardUser(store, systemClock, {
    merchantId: demo.merchant_id,
    email: DASH_EMAIL,
    password: DASH_PASSWORD,
  });
  const now = Date.now();
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    await store.transaction(async (tx) => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        // Thirty days of history, each id minted when its row was created.
        const createdAt = now - 30 * 86_400_000 + Math.floor((i / count) * 30 * 86_400_000);
        const id = newId('pi', createdAt);
        const status = STATUSES[i % STATUSES.length] as IntentRow['status'];
        // Paid and declined ones were tried, by card or UPI: one attempt each.
        const attemptId = status === 'succeeded' || status === 'failed' ? `pa_fill_${i}` : null;
        await tx.intents.insert({
          id,
          merchantId: demo.merchant_id,
          livemode: false,
          amount: 100 + (i % 10_000),
          currency: 'USD',
          status,
          orderId: `fill_${i}`,
          description: null,
          customer: null,
          metadata: {},
          captureMethod: 'automatic',
          paymentMethodTypes: ['card'],
          clientSecret: `${id}_secret_x`,
          returnUrl: null,
          processor: 'sandbox',
          amountCapturable: 0,
          amountReceived: status === 'succeeded' ? 100 + (i % 10_000) : 0,
          amountRefunded: 0,
          lastPaymentError: null,
          nextAction: null,
          latestAttemptId: attemptId,
          failedAttempts: 0,
          operation: null,
          cancellationReason: null,
          canceledAt: null,
          expiresAt: createdAt + 1_800_000,
          createdAt,
          updatedAt: createdAt,
        });
        if (attemptId) {
          const paid = status === 'succeeded';
          await tx.attempts.insert({
            id: attemptId,
            intentId: id,
            merchantId: demo.merchant_id,
            status: paid ? 'succeeded' : 'failed',
            methodType: i % 3 === 0 ? 'upi' : 'card',
            cardBrand: null,
            cardLast4: null,
            cardExpMonth: null,
            cardExpYear: null,
            cardFingerprint: null,
            upiVpa: null,
            clientKey: `ck_${i}`,
            processor: 'sandbox',
            processorReference: `ref_${i}`,
            declineCode: paid ? null : 'insufficient_funds',
            failureMessage: null,
            createdAt,
            updatedAt: createdAt,
          });
        }
      }
    });
  }
  // As a running worker keeps it: the overview's changes folded into its hourly rows.
  await foldOverviewStats(store);
  await store.close();
}

export const DASH_EMAIL = 'bench@example.com';
export const DASH_PASSWORD = 'bench dashboard password';

interface Measured {
  createP99: number;
  listP50: number;
  listRps: number;
  /** Mean ms of a list filtered by a status few intents have (held for capture: none in
   * the fill), and of the plain first page. */
  statusListMs: number;
  listMs: number;
  /** The dashboard: its payments list (first page, 25), a page deep in the list, a
   * search by order id, a filtered page (method, currency, amount), and the 30-day
   * overview. */
  dashListP50: number;
  dashDeepP50: number;
  dashSearchP50: number;
  dashFilterP50: number;
  dashOverviewP50: number;
}

async function measure(file: string, seconds: number): Promise<Measured> {
  const gw = await startGateway({ KASSA_DATABASE_URL: `file:${file}`, KASSA_LOG_LEVEL: 'warn' });
  const auth = { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' };
  let n = 0;
  const create = await load({
    url: `${gw.url}/v1/payment_intents`,
    method: 'POST',
    connections: 32,
    seconds,
    headers: auth,
    next: () => ({
      body: JSON.stringify({ amount: 500, currency: 'usd', order_id: `growth_${++n}` }),
    }),
  });
  const list = await load({
    url: `${gw.url}/v1/payment_intents?limit=10`,
    connections: 8,
    seconds,
    headers: auth,
  });
  const statusList = await load({
    url: `${gw.url}/v1/payment_intents?limit=10&status=requires_capture`,
    connections: 8,
    seconds,
    headers: auth,
  });
  // Signed in to the dashboard as a person would be.
  const login = await fetch(`${gw.url}/dashboard/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: gw.url },
    body: JSON.stringify({ email: DASH_EMAIL, password: DASH_PASSWORD }),
  });
  const cookie = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] as string };
  const dash = (path: string, connections = 8) =>
    load({ url: `${gw.url}/dashboard/api${path}`, connections, seconds, headers: cookie });
  const firstPage = (await (
    await fetch(`${gw.url}/dashboard/api/payments?limit=25`, { headers: cookie })
  ).json()) as {
    data: { id: string }[];
  };
  const dashList = await dash('/payments?limit=25');
  // A cursor from the middle of the table: keyset pagination costs the same anywhere.
  const deep = await fetch(
    `${gw.url}/v1/payment_intents?limit=1&order_id=fill_${Math.floor(fillCount(file) / 2)}`,
    {
      headers: auth,
    },
  );
  const middle =
    ((await deep.json()) as { data: { id: string }[] }).data[0]?.id ?? firstPage.data[0]?.id;
  const dashDeep = await dash(`/payments?limit=25&starting_after=${middle}`);
  const dashSearch = await dash(`/payments?q=fill_${Math.floor(fillCount(file) / 3)}`);
  // Filters the list walks rather than an index finds: UPI, USD 50–60 (a few % of rows).
  const dashFilter = await dash(
    '/payments?limit=25&payment_method_type=upi&currency=USD&amount[gte]=5000&amount[lte]=6000',
  );
  const now = Math.floor(Date.now() / 1000);
  const dashOverview = await dash(`/overview?from=${now - 30 * 86_400}&to=${now}`, 2);
  await gw.stop();
  return {
    createP99: create.p99,
    listP50: list.p50,
    listRps: list.rps,
    statusListMs: statusList.mean,
    listMs: list.mean,
    dashListP50: dashList.p50,
    dashDeepP50: dashDeep.p50,
    dashSearchP50: dashSearch.p50,
    dashFilterP50: dashFilter.p50,
    dashOverviewP50: dashOverview.p50,
  };
}

const filled = new Map<string, number>();
const fillCount = (file: string) => filled.get(file) ?? 0;

/** Create p99 and first-page list latency with `count` intents stored, over an empty store. */
export async function growthBench(o: { quick: boolean; dir: string }) {
  const count = o.quick ? 50_000 : 1_000_000;
  const seconds = o.quick ? 2 : 6;
  const emptyFile = join(o.dir, 'empty.db');
  const fullFile = join(o.dir, 'full.db');
  await fill(emptyFile, 0);
  const t = Date.now();
  await fill(fullFile, count);
  filled.set(fullFile, count);
  const fillSeconds = (Date.now() - t) / 1000;
  // Empty and full alternate, three rounds in a full run, and each figure is the median
  // of its rounds: one run each swung the ratio by ±20 % on this shared machine.
  const rounds = o.quick ? 1 : 3;
  const runs: { empty: Measured[]; full: Measured[] } = { empty: [], full: [] };
  for (let r = 0; r < rounds; r++) {
    runs.empty.push(await measure(emptyFile, seconds));
    runs.full.push(await measure(fullFile, seconds));
  }
  const mid = (ms: Measured[]): Measured => ({
    createP99: median(ms.map((m) => m.createP99)),
    listP50: median(ms.map((m) => m.listP50)),
    listRps: median(ms.map((m) => m.listRps)),
    statusListMs: median(ms.map((m) => m.statusListMs)),
    listMs: median(ms.map((m) => m.listMs)),
    dashListP50: median(ms.map((m) => m.dashListP50)),
    dashDeepP50: median(ms.map((m) => m.dashDeepP50)),
    dashSearchP50: median(ms.map((m) => m.dashSearchP50)),
    dashFilterP50: median(ms.map((m) => m.dashFilterP50)),
    dashOverviewP50: median(ms.map((m) => m.dashOverviewP50)),
  });
  const empty = mid(runs.empty);
  const full = mid(runs.full);
  return { count, fillSeconds, empty, full };
}
