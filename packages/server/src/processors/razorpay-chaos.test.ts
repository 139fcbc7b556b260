import { type FakeRazorpayFault, startFakeRazorpay } from '@kassa/processors/fake-razorpay';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chaosSettings,
  faultsSince,
  latestReference,
  seededRandom,
  sentTwice,
  storedMoney,
  tally,
} from '../testing/chaos.ts';
import { razorpayTestKit } from '../testing/razorpay.ts';

/*
 * The processor chaos suite against the fake Razorpay: a few hundred money operations
 * through the gateway — cards in Checkout (some declined), UPI by intent (approved,
 * declined, or never answered), captures, cancels, refunds in parts, refunds that stay
 * pending and then fail, authorisations Razorpay gives back by itself, disputes — while a
 * seeded generator injects Razorpay's failures (5xx, 429, 409, hangs, answers dropped after
 * acting) and holds, reorders and duplicates webhooks. At the end the money at the fake
 * must be exactly what Kassa's records say.
 *
 * Replay a failure with KASSA_CHAOS_SEED=<seed printed below>.
 */

const { seed: SEED, operations: OPERATIONS } = chaosSettings(200);

const fake = await startFakeRazorpay();
afterAll(() => fake.close());
const kit = razorpayTestKit(fake);

const FAULTS: readonly FakeRazorpayFault[] = [
  { kind: 'server_error' },
  { kind: 'rate_limit' },
  { kind: 'conflict' },
  { kind: 'drop_after' },
  { kind: 'hang' },
];

describe('processor chaos: Razorpay’s failures under a few hundred money operations', () => {
  it(`keeps Kassa and Razorpay in step (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const rng = seededRandom(SEED);
    const g = await kit.gatewayWithRazorpay({
      razorpay: { maxNetworkRetries: 1, callBudgetMs: 1200 },
      config: { processorTimeoutMs: 1500 },
    });
    await kit.connectOther(g);
    const shops = [
      { sk: g.a.sk, pk: g.a.pk, merchant: g.a.id, account: 'test:acme' },
      { sk: g.b.sk, pk: g.b.pk, merchant: g.b.id, account: 'test:beta' },
    ];
    const since = fake.requests.length;
    const injected = { ...fake.faultsInjected };
    let heldWebhooks = false;
    const { counts, count } = tally();
    function maybeFault(paths: string[]) {
      if (!rng.chance(0.3)) return;
      const fault = rng.pick(FAULTS);
      if (fault.kind === 'hang' && !rng.chance(0.3)) return;
      fake.fault(rng.pick(paths), fault, { times: rng.int(1, 2) });
    }
    const intents = async (sk: string) =>
      (await g.call('GET', '/v1/payment_intents?limit=100', sk)).json.data as {
        id: string;
        status: string;
        amount: number;
      }[];
    const orderOf = (id: string) => latestReference(g.store, id);

    async function pay(shop: (typeof shops)[0]) {
      const manual = rng.chance(0.4);
      const upi = !manual && rng.chance(0.4);
      const created = await g.createIntent(
        {
          amount: rng.int(100, 900) * 100,
          currency: 'inr',
          customer: kit.CUSTOMER,
          payment_method_types: [upi ? 'upi' : 'card'],
          ...(manual && { capture_method: 'manual' }),
        },
        shop.sk,
      );
      if (created.status !== 201) return count('create_refused');
      maybeFault(['/v1/orders', '/v1/payments']);
      if (upi) {
        const res = await g.confirm(
          created.json,
          { type: 'upi', upi: { flow: 'intent' } },
          shop.pk,
        );
        count(`upi_${res.status}`);
        const link = res.json?.next_action?.url as string | undefined;
        const waiting = link && fake.payments().find((p) => link.includes(`tr=${p.id}&`));
        if (waiting && rng.chance(0.85)) fake.approveUpi(waiting.id, rng.chance(0.75));
        return;
      }
      const opened = await g.call(
        'POST',
        `/v1/client/payment_intents/${created.json.id}/processor_session`,
        shop.pk,
        { client_secret: created.json.client_secret, payment_method_type: 'card' },
      );
      if (opened.status !== 200 || !opened.json.session) return count(`open_${opened.status}`);
      const paid = await fake.checkout(
        opened.json.session.client_secret,
        opened.json.session.publishable_key,
        rng.pick(['4111111111111111', '4111111111111111', '4000000000009995']),
      );
      maybeFault([`/v1/orders/${opened.json.session.client_secret}`]);
      if (rng.chance(0.9)) {
        const done = await kit.complete(
          g,
          created.json,
          'error' in paid ? undefined : { ...paid },
          shop.pk,
        );
        count(`pay_${done.status}`);
      } else count('pay_page_closed');
    }

    async function onSome(
      status: string,
      act: (id: string, shop: (typeof shops)[0]) => Promise<void>,
    ) {
      const shop = rng.pick(shops);
      const found = (await intents(shop.sk)).filter((i) => i.status === status);
      if (found.length === 0) return pay(shop);
      await act(rng.pick(found).id, shop);
    }

    const operations: (() => Promise<void>)[] = [
      () => pay(rng.pick(shops)),
      () => pay(rng.pick(shops)),
      () =>
        onSome('requires_capture', async (id, shop) => {
          maybeFault(['/v1/payments']);
          count(
            `capture_${(await g.call('POST', `/v1/payment_intents/${id}/capture`, shop.sk)).status}`,
          );
        }),
      () =>
        onSome('requires_capture', async (id, shop) => {
          count(
            `cancel_${(await g.call('POST', `/v1/payment_intents/${id}/cancel`, shop.sk)).status}`,
          );
        }),
      () =>
        onSome('requires_capture', async (id) => {
          // Razorpay gives back an authorisation not captured in its window.
          const held = fake.payments(await orderOf(id)).find((p) => p.status === 'authorized');
          if (held) {
            fake.expireAuthorization(held.id);
            count('authorization_lapsed');
          }
        }),
      () =>
        onSome('succeeded', async (id, shop) => {
          fake.refundsSettle(rng.chance(0.3) ? 'later' : 'now');
          maybeFault(['/v1/payments']);
          const res = await g.call('POST', '/v1/refunds', shop.sk, {
            payment_intent: id,
            amount: rng.int(1, 20) * 100,
          });
          fake.refundsSettle('now');
          count(`refund_${res.status}`);
        }),
      () =>
        onSome('succeeded', async (id) => {
          const order = await orderOf(id);
          const captured = fake.payments(order).find((p) => p.captured);
          if (!captured) return;
          const pending = fake.refunds(captured.id).find((r) => r.status === 'pending');
          if (pending) {
            fake.settleRefund(pending.id, rng.chance(0.5) ? 'failed' : 'processed');
            count('refund_settled_later');
          } else if (!fake.disputes().some((d) => d.payment_id === captured.id)) {
            fake.dispute(
              captured.id,
              rng.chance(0.5) ? rng.pick(['won', 'lost'] as const) : undefined,
            );
            count('dispute');
          }
        }),
      async () => {
        if (!heldWebhooks) {
          fake.holdWebhooks();
          heldWebhooks = true;
        } else {
          heldWebhooks = false;
          await fake.releaseWebhooks({
            order: 'shuffled',
            duplicate: rng.chance(0.5),
            random: rng.next,
          });
        }
      },
    ];

    for (let i = 0; i < OPERATIONS; i++) await rng.pick(operations)();

    // The storm passes: faults used up, pending refunds decided, webhooks delivered, and
    // the gateway's jobs run until nothing is due.
    fake.clearFaults();
    for (const p of fake.payments()) {
      for (const r of fake.refunds(p.id))
        if (r.status === 'pending') fake.settleRefund(r.id, 'processed');
    }
    await fake.releaseWebhooks({ order: 'shuffled', random: rng.next });
    let redelivered = 0;
    for (let round = 0; round < 6; round++) {
      g.clock.advance(45_000);
      await g.worker.drain();
      redelivered += await fake.retryFailedWebhooks();
    }

    const rows = await storedMoney(
      g.store,
      shops.map((shop) => shop.merchant),
    );
    const notesOf = (n: unknown) => (n && !Array.isArray(n) ? (n as Record<string, string>) : {});
    const problems: string[] = [];
    let mismatches = 0;
    for (const { intent, refunds } of rows) {
      const account = intent.merchantId === g.a.id ? 'test:acme' : 'test:beta';
      const orders = fake
        .orders()
        .filter((o) => notesOf(o.notes).kassa_payment_intent === intent.id);
      let taken = 0;
      let refunded = 0;
      for (const o of orders) {
        if (fake.accountOf(o.id) !== account)
          problems.push(`${intent.id}: ${o.id} at another account`);
        for (const p of fake.payments(o.id)) {
          if (!p.captured) continue;
          taken += p.amount;
          for (const r of fake.refunds(p.id)) if (r.status !== 'failed') refunded += r.amount;
        }
      }
      const kassaTaken = intent.status === 'succeeded' ? intent.amountReceived : 0;
      if (taken !== kassaTaken) {
        problems.push(
          `${intent.id} (${intent.status}): Razorpay took ${taken}, Kassa says ${kassaTaken}`,
        );
      }
      if (refunded !== intent.amountRefunded) {
        problems.push(
          `${intent.id}: Razorpay refunded ${refunded}, Kassa says ${intent.amountRefunded}`,
        );
      }
      for (const r of refunds) {
        const there = orders
          .flatMap((o) => fake.payments(o.id))
          .flatMap((p) => fake.refunds(p.id))
          .find((x) => notesOf(x.notes).kassa_operation === r.id);
        const expected = there
          ? { processed: 'succeeded', failed: 'failed', pending: 'pending' }[there.status]
          : 'failed';
        if (r.status !== expected)
          problems.push(`${r.id}: Kassa ${r.status}, Razorpay ${there?.status ?? 'none'}`);
      }
      if (intent.operation) problems.push(`${intent.id}: ${intent.operation} still claimed`);
      const held = orders.some((o) => fake.payments(o.id).some((p) => p.status === 'authorized'));
      if (intent.status === 'requires_capture' && !held) {
        problems.push(`${intent.id}: capturable in Kassa, nothing held at Razorpay`);
      }
      const events = await g.events(intent.id);
      problems.push(...sentTwice(intent.id, events));
      if (intent.lastPaymentError?.code === 'processor_mismatch') mismatches += 1;
    }
    const { faults, total: faultTotal } = faultsSince(injected, fake.faultsInjected);
    console.log(
      `processor chaos, razorpay (${g.store.kind}): seed=${SEED} operations=${OPERATIONS} razorpay_calls=${fake.requests.length - since} ` +
        `faults=${faultTotal} ${JSON.stringify(faults)} intents=${rows.length} refunds=${rows.reduce((n, r) => n + r.refunds.length, 0)} ` +
        `disputes=${fake.disputes().length} webhooks_redelivered=${redelivered} mismatches=${mismatches} problems=${problems.length} outcomes=${JSON.stringify(counts)}`,
    );
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(mismatches).toBe(0);
    expect(faultTotal).toBeGreaterThan(15);
    expect(rows.length).toBeGreaterThan(40);
  });
});
