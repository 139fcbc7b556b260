// What the processor chaos suites share: the seeded generator a run replays from, the
// tally of outcomes, the faults injected during the run, the money rows to compare with
// the fake's at the end, and the checks every processor's run makes of them.
import type { IntentRow, RefundRow, Store } from '../store/types.ts';

/** The run's seed (KASSA_CHAOS_SEED replays one) and its number of operations. */
export function chaosSettings(defaultOperations: number) {
  return {
    seed: Number(process.env.KASSA_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31)),
    operations: Number(process.env.KASSA_CHAOS_OPERATIONS ?? defaultOperations),
  };
}

/** mulberry32: a small seeded generator, so a run can be replayed exactly. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}
export type SeededRandom = ReturnType<typeof seededRandom>;

/** How often each outcome happened, for the run's summary line. */
export function tally() {
  const counts: Record<string, number> = {};
  return {
    counts,
    count: (what: string) => {
      counts[what] = (counts[what] ?? 0) + 1;
    },
  };
}

/** The faults a fake injected since `before` (a copy of its counters), and their sum. */
export function faultsSince<K extends string>(
  before: Partial<Record<K, number>>,
  now: Record<K, number>,
) {
  const faults = Object.fromEntries(
    Object.entries<number>(now).map(([k, v]) => [k, v - (before[k as K] ?? 0)]),
  ) as Record<K, number>;
  return { faults, total: Object.values<number>(faults).reduce((a, b) => a + b, 0) };
}

/** The processor reference of an intent's latest attempt ('' when it has none). */
export async function latestReference(store: Store, intentId: string) {
  const row = await store.read(async (tx) => {
    const intent = await tx.intents.get(intentId);
    return intent?.latestAttemptId ? tx.attempts.get(intent.latestAttemptId) : null;
  });
  return row?.processorReference ?? '';
}

/** Every test-mode intent of the merchants, with its refunds, as Kassa stored them. */
export function storedMoney(store: Store, merchantIds: string[]) {
  return store.read(async (tx) => {
    const out: { intent: IntentRow; refunds: RefundRow[] }[] = [];
    for (const merchantId of merchantIds) {
      for (const intent of await tx.intents.list({ merchantId, livemode: false, limit: 1000 })) {
        const refunds = await tx.refunds.list({
          merchantId,
          livemode: false,
          intentId: intent.id,
          limit: 100,
        });
        out.push({ intent, refunds });
      }
    }
    return out;
  });
}

/** An intent's events that must be sent at most once, and were sent more often. */
export function sentTwice(intentId: string, events: string[]): string[] {
  return ['payment_intent.succeeded', 'payment_intent.canceled', 'payment_intent.created']
    .filter((once) => events.filter((t) => t === once).length > 1)
    .map((once) => `${intentId}: ${once} twice`);
}
