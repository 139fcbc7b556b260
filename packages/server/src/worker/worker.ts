import type { Deps } from '../deps.ts';
import type { JobRow } from '../store/types.ts';

export type JobHandler = (payload: Record<string, unknown>) => Promise<void>;

/** How long a claimed job is ours before another worker may take it over. */
const LOCK_MS = 60_000;
const MAX_JOB_ATTEMPTS = 10;
const BATCH = 20;

/** Retry delay after a handler throws: 1 s, 2 s, 4 s … capped at 5 minutes. */
const backoff = (attempts: number) => Math.min(1000 * 2 ** (attempts - 1), 5 * 60_000);

/**
 * The worker: claims due jobs from the durable queue (the same database as the data, so
 * a change and its job commit together), runs them, and retries with backoff. Jobs of a
 * worker that died are taken over when their lock expires. `tick` also runs periodic
 * chores such as the expiry sweep.
 */
export function createWorker(
  deps: Pick<Deps, 'store' | 'clock' | 'logger'>,
  handlers: Record<string, JobHandler>,
  chores: (() => Promise<unknown>)[] = [],
) {
  const { store, clock, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;

  async function runJob(job: JobRow) {
    const handler = handlers[job.kind];
    const now = () => clock.now();
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job.payload);
      await store.transaction((tx) =>
        tx.updateJob(job.id, { status: 'done', lockedUntil: null, updatedAt: now() }),
      );
    } catch (err) {
      const attempts = job.attempts + 1;
      const dead = attempts >= MAX_JOB_ATTEMPTS;
      logger[dead ? 'error' : 'warn']({ err, job: job.id, kind: job.kind, attempts }, 'job failed');
      await store.transaction((tx) =>
        tx.updateJob(job.id, {
          status: dead ? 'dead' : 'queued',
          attempts,
          runAt: now() + backoff(attempts),
          lockedUntil: null,
          lastError: String((err as Error)?.message ?? err).slice(0, 500),
          updatedAt: now(),
        }),
      );
    }
  }

  /** Runs every due job and chore once; returns how many jobs ran. */
  async function tick(): Promise<number> {
    let count = 0;
    for (const chore of chores) {
      await chore().catch((err) => logger.error({ err }, 'worker chore failed'));
    }
    for (;;) {
      const now = clock.now();
      const batch = await store.transaction((tx) => tx.claimJobs(now, BATCH, now + LOCK_MS));
      if (batch.length === 0) return count;
      await Promise.all(batch.map(runJob));
      count += batch.length;
    }
  }

  return {
    tick,
    /** Runs until all due work is done, including work that the work itself queued. */
    async drain(): Promise<void> {
      while ((await tick()) > 0) {}
    },
    start(intervalMs: number) {
      stopped = false;
      const loop = async () => {
        running = tick();
        await running.catch((err) => logger.error({ err }, 'worker tick failed'));
        running = null;
        if (!stopped) timer = setTimeout(loop, intervalMs);
      };
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
