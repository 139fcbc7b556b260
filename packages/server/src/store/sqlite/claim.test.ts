import { beforeEach, describe, expect, it } from 'vitest';
import type { JobRow, Store } from '../types.ts';
import { createSqliteStore } from './sqlite-store.ts';

let n = 0;
const job = (key: string | null, runAt: number): JobRow => ({
  id: `job_${String(++n).padStart(6, '0')}`,
  kind: 'webhook.deliver',
  merchantId: null,
  concurrencyKey: key,
  payload: { n },
  status: 'queued',
  runAt,
  attempts: 0,
  lockedUntil: null,
  lastError: null,
  createdAt: runAt,
  updatedAt: runAt,
});

describe('claiming jobs', () => {
  let store: Store;
  const add = (jobs: JobRow[]) =>
    store.transaction(async (tx) => {
      for (const j of jobs) await tx.enqueueJob(j);
    });
  const claim = (now: number, limit: number, inflight: Record<string, number> = {}) =>
    store.transaction((tx) => tx.claimJobs(now, limit, now + 60_000, { inflight, perKey: 8 }));

  beforeEach(() => {
    store = createSqliteStore({ filename: ':memory:' });
  });

  it("passes over a busy endpoint's backlog to the others' jobs, oldest first", async () => {
    await add(Array.from({ length: 300 }, (_, i) => job('we_a', 1 + i)));
    await add([job('we_b', 1000), job('we_b', 1001), job(null, 500), job('we_c', 5000)]);
    const busy = await claim(2000, 20, { we_a: 8 });
    expect(busy.map((j) => [j.concurrencyKey, j.runAt])).toEqual([
      [null, 500],
      ['we_b', 1000],
      ['we_b', 1001],
    ]);
    expect(busy.every((j) => j.status === 'running' && j.lockedUntil === 62_000)).toBe(true);
    expect(busy[0]?.payload).toEqual({ n: 303 });
    // With room, an endpoint gets at most its bound at once; what is not due stays.
    const next = await claim(2000, 20, { we_a: 5 });
    expect(next.map((j) => j.runAt)).toEqual([1, 2, 3]);
    const later = await claim(6000, 20, {});
    expect(later.map((j) => [j.concurrencyKey, j.runAt])).toEqual([
      ...[4, 5, 6, 7, 8, 9, 10, 11].map((t) => ['we_a', t]),
      ['we_c', 5000],
    ]);
  });

  it('goes round the endpoints: past the per-claim bound, the next claim carries on', async () => {
    await add(Array.from({ length: 300 }, (_, i) => job(`we_${String(i).padStart(3, '0')}`, 1)));
    const first = await claim(10, 1000);
    expect(first).toHaveLength(256);
    const second = await claim(10, 1000);
    expect(second).toHaveLength(44);
    expect(new Set([...first, ...second].map((j) => j.concurrencyKey)).size).toBe(300);
    expect(await claim(10, 1000)).toEqual([]);
  });

  it('takes over jobs whose worker died (their lock ran out)', async () => {
    await add([job('we_a', 1)]);
    const [taken] = await claim(10, 5);
    expect(await claim(20, 5)).toEqual([]);
    const again = await claim(10 + 60_001, 5);
    expect(again.map((j) => j.id)).toEqual([taken?.id]);
  });
  it("bounds one merchant's deliveries in flight, so another merchant's still go", async () => {
    // Merchant A: 40 endpoints that never answer, each with a backlog; merchant B: one.
    for (let e = 0; e < 40; e++) {
      await add(Array.from({ length: 4 }, (_, i) => job(`mer_a/we_${e}`, 1 + i)));
    }
    await add([job('mer_b/we_x', 100), job('mer_b/we_x', 101), job(null, 50)]);
    const got = await store.transaction((tx) =>
      tx.claimJobs(1000, 64, 61_000, {
        inflight: {},
        perKey: 8,
        inflightGroups: { mer_a: 10 },
        perGroup: 16,
        keyedRoom: 56,
      }),
    );
    const of = (m: string) => got.filter((j) => j.concurrencyKey?.startsWith(`${m}/`)).length;
    expect(of('mer_a')).toBe(6);
    expect(of('mer_b')).toBe(2);
    expect(got.some((j) => j.concurrencyKey === null)).toBe(true);
  });
});
