import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { enqueue, handle, jobKind } from './enqueue.ts';

const PING = jobKind<{ target: string; times: number }>('test.ping');

describe('the typed job registry', () => {
  it('queues a payload of its kind and hands the same payload to its handler', async () => {
    const store = createSqliteStore({ filename: ':memory:' });
    await store.transaction((tx) =>
      enqueue(tx, PING, { target: 'a', times: 2 }, { runAt: 0, now: 0, merchantId: null }),
    );
    const [job] = await store.transaction((tx) => tx.jobs.claim(0, 1, 60_000, { perKey: 8 }));
    const seen: unknown[] = [];
    const [name, run] = handle(PING, async (p) => {
      seen.push(p.target.toUpperCase(), p.times + 1);
    });
    expect(name).toBe('test.ping');
    expect(job?.kind).toBe('test.ping');
    await run(job?.payload ?? {}, job as never);
    expect(seen).toEqual(['A', 3]);
    await store.close();
  });

  it('refuses, at compile time, a payload that is not its kind’s (checked by tsc)', () => {
    const typeOnly = (tx: Parameters<typeof enqueue>[0]) => {
      // @ts-expect-error: `times` must be a number
      void enqueue(tx, PING, { target: 'a', times: '2' }, { runAt: 0, now: 0, merchantId: null });
      // @ts-expect-error: the handler reads a field the kind does not carry
      handle(PING, async (p) => void p.missing);
    };
    expect(typeof typeOnly).toBe('function');
  });
});
