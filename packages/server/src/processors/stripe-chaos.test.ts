import { type FakeStripe, type FakeStripeFault, startFakeStripe } from '@kassa/processors/testing';
import type Stripe from 'stripe';
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
import { stripeTestKit } from '../testing/stripe.ts';

/*
 * The processor chaos suite: a few hundred money operations through the gateway against
 * the fake Stripe — payments (some with 3-D Secure, some declined), captures in full and
 * in part, cancels, refunds, disputes, authorisations that lapse and refunds that fail
 * afterwards — while a seeded generator injects Stripe's failures (5xx, 429, hangs,
 * answers dropped after acting, idempotency errors) and holds, reorders and duplicates
 * webhooks. At the end the money at the fake must be exactly what Kassa's records say.
 *
 * Replay a failure with KASSA_CHAOS_SEED=<seed printed below>.
 */

const { seed: SEED, operations: OPERATIONS } = chaosSettings(240);

const fake: FakeStripe = await startFakeStripe();
afterAll(() => fake.close());
const kit = stripeTestKit(fake);

const CARDS = {
  pays: '4242424242424242',
  declines: '4000000000009995',
  threeDSecure: '4000002760003184',
} as const;

const FAULTS: readonly FakeStripeFault[] = [
  { kind: 'server_error' },
  { kind: 'rate_limit', shouldRetry: true },
  { kind: 'rate_limit', shouldRetry: false },
  { kind: 'rate_limit' },
  { kind: 'drop_after' },
  { kind: 'hang' },
  { kind: 'idempotency_error' },
];

describe('processor chaos: Stripe’s failures under a few hundred money operations', () => {
  it(`keeps Kassa and Stripe in step (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const rng = seededRandom(SEED);
    const g = await kit.gatewayWithStripe({
      // One retry inside a short budget: hangs cost little, and Kassa's give-up comes after.
      stripe: { maxNetworkRetries: 1, callBudgetMs: 1200, webhookToleranceSeconds: 86_400 },
      config: { processorTimeoutMs: 1500 },
    });
    await kit.connectOther(g);
    const shops = [
      { sk: g.a.sk, pk: g.a.pk, merchant: g.a.id },
      { sk: g.b.sk, pk: g.b.pk, merchant: g.b.id },
    ];
    const since = fake.requests.length;
    const injected = { ...fake.faultsInjected };
    let heldWebhooks = false;
    const { counts, count } = tally();

    /** One random fault on one of the paths the next operation uses. */
    function maybeFault(paths: string[]) {
      if (!rng.chance(0.3)) return;
      const fault = rng.pick(FAULTS);
      // Hangs are the slow ones: fewer of them.
      if (fault.kind === 'hang' && !rng.chance(0.3)) return;
      fake.fault(rng.pick(paths), fault, { times: rng.int(1, 2) });
    }

    const intents = async (sk: string) =>
      (await g.call('GET', '/v1/payment_intents?limit=100', sk)).json.data as {
        id: string;
        status: string;
        amount: number;
        amount_received: number;
        amount_refunded: number;
      }[];

    async function pay(shop: (typeof shops)[0]) {
      const manual = rng.chance(0.4);
      const amount = rng.int(60, 90) * 100;
      const created = await g.createIntent(
        { amount, currency: 'eur', ...(manual && { capture_method: 'manual' }) },
        shop.sk,
      );
      if (created.status !== 201) return count('create_refused');
      const card = rng.pick([
        CARDS.pays,
        CARDS.pays,
        CARDS.pays,
        CARDS.declines,
        CARDS.threeDSecure,
      ]);
      maybeFault(['/v1/payment_intents']);
      const opened = await g.call(
        'POST',
        `/v1/client/payment_intents/${created.json.id}/processor_session`,
        shop.pk,
        { client_secret: created.json.client_secret, payment_method_type: 'card' },
      );
      if (opened.status !== 200 || !opened.json.session) return count(`open_${opened.status}`);
      const session = opened.json.session;
      const reference = session.client_secret.split('_secret_')[0] as string;
      // The Payment Element's confirm, from the browser, straight to Stripe.
      const confirm = await kit.confirmAtStripe(session, card).catch(() => null);
      if (card === CARDS.threeDSecure && confirm?.status === 200) {
        await fake.authenticate(reference, rng.chance(0.7)).catch(() => undefined);
      }
      maybeFault([`/v1/payment_intents/${reference}`]);
      // The page asks the gateway to record it (sometimes the shopper closes the page first).
      if (rng.chance(0.9)) {
        const done = await kit.complete(g, created.json, shop.pk);
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

    const referenceOf = (id: string) => latestReference(g.store, id);

    const operations: (() => Promise<void>)[] = [
      () => pay(rng.pick(shops)),
      () => pay(rng.pick(shops)),
      () =>
        onSome('requires_capture', async (id, shop) => {
          const intent = (await intents(shop.sk)).find((i) => i.id === id);
          const partial =
            rng.chance(0.5) && intent ? { amount_to_capture: intent.amount - 1000 } : {};
          maybeFault([`/v1/payment_intents/${await referenceOf(id)}/capture`]);
          const res = await g.call('POST', `/v1/payment_intents/${id}/capture`, shop.sk, partial);
          count(`capture_${res.status}`);
        }),
      () =>
        onSome('requires_capture', async (id, shop) => {
          maybeFault([`/v1/payment_intents/${await referenceOf(id)}/cancel`]);
          const res = await g.call('POST', `/v1/payment_intents/${id}/cancel`, shop.sk);
          count(`cancel_${res.status}`);
        }),
      () =>
        onSome('requires_capture', async (id) => {
          // Stripe drops the authorisation (it lapsed, or was released in its dashboard).
          const reference = await referenceOf(id);
          if (fake.paymentIntent(reference)?.status === 'requires_capture') {
            fake.expireAuthorization(reference);
            count('authorization_lapsed');
          }
        }),
      () =>
        onSome('succeeded', async (id, shop) => {
          maybeFault(['/v1/refunds']);
          const res = await g.call('POST', '/v1/refunds', shop.sk, {
            payment_intent: id,
            amount: rng.int(1, 20) * 100,
            ...(rng.chance(0.5) && { reason: 'requested_by_customer' }),
          });
          count(`refund_${res.status}`);
        }),
      () =>
        onSome('succeeded', async (id) => {
          const reference = await referenceOf(id);
          const refund = fake.refunds(reference).find((r) => r.status === 'succeeded');
          if (refund && rng.chance(0.5)) {
            fake.failRefund(refund.id);
            count('refund_failed_later');
          } else if (fake.paymentIntent(reference)?.status === 'succeeded') {
            const d = await fake.dispute(reference);
            if (rng.chance(0.5))
              fake.updateDispute(d.id, rng.pick(['won', 'lost', 'warning_closed'] as const));
            count('dispute');
          }
        }),
      async () => {
        // Webhooks: hold a while, then release them shuffled and some twice.
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

    for (let i = 0; i < OPERATIONS; i++) {
      await rng.pick(operations)();
    }

    // The storm passes: every fault used up, every held webhook delivered, and the
    // gateway's own jobs (recovery, sweeps, withdrawals) run until nothing is due.
    fake.clearFaults();
    await fake.releaseWebhooks({ order: 'shuffled', random: rng.next });
    let redelivered = 0;
    for (let round = 0; round < 6; round++) {
      g.clock.advance(45_000);
      await g.worker.drain();
      // Stripe's own retries of webhooks the gateway answered 503 (Stripe could not be asked).
      redelivered += await fake.retryFailedWebhooks();
    }

    // What Kassa says, and what Stripe says.
    const rows = await storedMoney(
      g.store,
      shops.map((shop) => shop.merchant),
    );
    const atStripe = fake.paymentIntents();
    const byIntent = new Map<string, Stripe.PaymentIntent[]>();
    for (const pi of atStripe) {
      const id = pi.metadata.kassa_payment_intent as string;
      byIntent.set(id, [...(byIntent.get(id) ?? []), pi]);
    }
    const problems: string[] = [];
    let mismatches = 0;
    for (const { intent, refunds } of rows) {
      const pis = byIntent.get(intent.id) ?? [];
      const merchant = intent.merchantId === g.a.id ? 'test:acme' : 'test:beta';
      for (const pi of pis) {
        if (fake.accountOf(pi.id) !== merchant)
          problems.push(`${intent.id}: ${pi.id} at another account`);
      }
      // Money taken at Stripe, net of refunds, for this intent.
      let taken = 0;
      let refundedAtStripe = 0;
      for (const pi of pis) {
        taken += pi.amount_received;
        for (const r of fake.refunds(pi.id))
          if (r.status !== 'failed') refundedAtStripe += r.amount;
      }
      const kassaTaken = intent.status === 'succeeded' ? intent.amountReceived : 0;
      if (taken !== kassaTaken && process.env.KASSA_CHAOS_DEBUG) {
        const attempts = await g.store.read((tx) => tx.attempts.ofIntent(intent.id));
        console.log(
          JSON.stringify(
            {
              intent,
              attempts,
              pis: pis.map((p) => [p.id, p.status, p.amount_received, p.metadata]),
              events: await g.events(intent.id),
              reqs: fake.requests
                .filter((r) =>
                  pis.some(
                    (p) =>
                      r.path.includes(p.id) ||
                      r.body.includes(p.metadata.kassa_payment_attempt as string),
                  ),
                )
                .map((r) => [r.method, r.path, r.status, r.idempotencyKey]),
            },
            null,
            1,
          ),
        );
      }
      if (taken !== kassaTaken) {
        problems.push(
          `${intent.id} (${intent.status}): Stripe took ${taken}, Kassa says ${kassaTaken}`,
        );
      }
      if (refundedAtStripe !== intent.amountRefunded) {
        problems.push(
          `${intent.id}: Stripe refunded ${refundedAtStripe}, Kassa says ${intent.amountRefunded}`,
        );
      }
      for (const r of refunds) {
        const there = pis
          .flatMap((pi) => fake.refunds(pi.id))
          .find((x) => x.metadata?.kassa_operation === r.id);
        const expected = there?.status ?? 'failed';
        if (r.status !== expected)
          problems.push(`${r.id}: Kassa ${r.status}, Stripe ${there?.status ?? 'none'}`);
        const events = (await g.events(r.id)).filter((t) => t !== 'refund.created');
        if (new Set(events).size !== events.length)
          problems.push(`${r.id}: events twice ${events}`);
      }
      // Nothing stuck: no claim left, nothing processing, a hold Kassa shows is held at Stripe.
      if (intent.operation) problems.push(`${intent.id}: ${intent.operation} still claimed`);
      if (intent.status === 'processing') problems.push(`${intent.id}: still processing`);
      const latest = pis.find((pi) => pi.status === 'requires_capture');
      if (intent.status === 'requires_capture' && !latest) {
        problems.push(`${intent.id}: capturable in Kassa, nothing held at Stripe`);
      }
      const events = await g.events(intent.id);
      problems.push(...sentTwice(intent.id, events));
      if (intent.status === 'succeeded' && !events.includes('payment_intent.succeeded')) {
        problems.push(`${intent.id}: succeeded without its event`);
      }
      if (intent.lastPaymentError?.code === 'processor_mismatch') mismatches += 1;
    }
    // Each dispute told once opened and at most once closed, to its own merchant only.
    for (const d of fake.disputes()) {
      const id = String(d.payment_intent);
      const pi = atStripe.find((p) => p.id === id);
      const owner = rows.find((r) => r.intent.id === pi?.metadata.kassa_payment_intent)?.intent;
      if (!owner) continue;
      const sk = owner.merchantId === g.a.id ? g.a.sk : g.b.sk;
      const all = (
        await g.call('GET', '/v1/events?limit=100&type=dispute.created', sk)
      ).json.data.filter(
        (e: { data: { object: { processor_reference: string } } }) =>
          e.data.object.processor_reference === d.id,
      );
      if (all.length !== 1) problems.push(`${d.id}: dispute.created ${all.length} times`);
    }
    // Every merchant sees only its own payments.
    for (const shop of shops) {
      for (const i of await intents(shop.sk)) {
        const row = rows.find((r) => r.intent.id === i.id);
        if (row?.intent.merchantId !== shop.merchant)
          problems.push(`${i.id} listed for another merchant`);
      }
    }

    const { faults, total: faultTotal } = faultsSince(injected, fake.faultsInjected);
    const calls = fake.requests.length - since;
    console.log(
      `processor chaos (${g.store.kind}): seed=${SEED} operations=${OPERATIONS} stripe_calls=${calls} ` +
        `faults=${faultTotal} ${JSON.stringify(faults)} intents=${rows.length} ` +
        `refunds=${rows.reduce((n, r) => n + r.refunds.length, 0)} disputes=${fake.disputes().length} ` +
        `webhooks_redelivered=${redelivered} mismatches=${mismatches} problems=${problems.length} outcomes=${JSON.stringify(counts)}`,
    );
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(mismatches).toBe(0);
    expect(faultTotal).toBeGreaterThan(20);
    expect(rows.length).toBeGreaterThan(50);
  });
});
