import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../clock.ts';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import { createTestStore } from '../testing/test-store.ts';
import { enqueue, handle, jobKind } from './enqueue.ts';
import { createWorker } from './worker.ts';

const NOTE = jobKind<{ n: number }>('test.note');

let store: Store;
afterEach(async () => {
  await store.close();
});

/** A worker whose handlers all finish together (when `release` is called), each ending
 * with a write: a note in settings, or a failing write for `bad`. Counts transactions. */
async function setup(count: number, bad: number[] = []) {
  store = await createTestStore();
  const clock = manualClock();
  const now = clock.now();
  await store.transaction(async (tx) => {
    for (let n = 0; n < count; n++) {
      await enqueue(tx, NOTE, { n }, { runAt: now, now, merchantId: null });
    }
  });
  let release = () => {};
  const together = new Promise<void>((r) => {
    release = r;
  });
  let started = 0;
  const [kind, run] = handle(NOTE, async ({ n }) => {
    started++;
    if (started === count) release();
    await together;
    return {
      write: async (tx) => {
        if (bad.includes(n)) throw new Error(`note ${n} cannot be written`);
        await tx.settings.set(`note_${n}`, 'done');
      },
    };
  });
  // Transactions that end jobs (delete or update one), as the worker runs them.
  let ending = 0;
  const counted: Store = {
    ...store,
    transaction: (fn) =>
      store.transaction((tx) => {
        let counted = false;
        const note = () => {
          if (!counted) ending++;
          counted = true;
        };
        const jobs = {
          ...tx.jobs,
          delete: (id: string) => {
            note();
            return tx.jobs.delete(id);
          },
          update: (...a: Parameters<typeof tx.jobs.update>) => {
            note();
            return tx.jobs.update(...a);
          },
        };
        return fn({ ...tx, jobs });
      }),
  };
  const worker = createWorker(
    { store: counted, clock, logger: createLogger({ level: 'silent' }) },
    { [kind]: run },
    [],
    { concurrency: 16, lockMs: 60_000, intervalMs: 60_000, keyLimit: 8, groupLimit: 16 },
  );
  const notes = () =>
    store.read(async (tx) =>
      (
        await Promise.all(Array.from({ length: count }, (_, n) => tx.settings.get(`note_${n}`)))
      ).map((v, n) => (v ? n : null)),
    );
  const left = () => store.read((tx) => tx.jobs.stats(null));
  return { worker, notes, left, ending: () => ending };
}

describe('job ends', () => {
  it('commits the ends that arrive together in one transaction, not one each', async () => {
    const w = await setup(10);
    await w.worker.drain();
    expect(await w.notes()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await w.left()).toEqual([]);
    // The first end alone (nothing was being committed), then the other nine together.
    expect(w.ending()).toBe(2);
  });

  it('one end that fails fails alone: the others of its group commit, it is retried', async () => {
    const w = await setup(6, [3]);
    await w.worker.drain().catch(() => undefined);
    expect(await w.notes()).toEqual([0, 1, 2, null, 4, 5]);
    const left = await w.left();
    expect(left).toEqual([
      expect.objectContaining({ kind: 'test.note', status: 'queued', retrying: 1, count: 1 }),
    ]);
  });
});
