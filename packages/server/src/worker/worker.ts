import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { AfterCommit } from '../store/executor.ts';
import type { JobRow, Patch, Store, StoreTx } from '../store/types.ts';
import type { JobResult } from './enqueue.ts';

/**
 * A job handler. It may return `{ retryAt }` to run the same job again later on its own
 * schedule (webhook retries) and `{ write }` for writes to commit with the job's end;
 * throwing retries with the worker's backoff.
 */
export type JobHandler = (payload: Record<string, unknown>, job: JobRow) => Promise<JobResult>;

export interface WorkerOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** How long a claimed job is ours before another worker may take it over. */
  lockMs: number;
  /** How often to look for due jobs when nothing wakes the worker. */
  intervalMs: number;
  /** Jobs with the same concurrency key running at once (deliveries per endpoint). */
  keyLimit: number;
  /** Jobs of one key group (a merchant's webhook deliveries) in flight at once. */
  groupLimit: number;
}

const MAX_JOB_ATTEMPTS = 10;
/** Retry delay after a handler throws: 1 s, 2 s, 4 s … capped at 5 minutes. */
const backoff = (attempts: number) => Math.min(1000 * 2 ** (attempts - 1), 5 * 60_000);

/**
 * The worker: claims due jobs from the durable queue (the same database as the data, so
 * a change and its job commit together) and runs up to `concurrency` at once. It wakes
 * as soon as a transaction commits new jobs, and otherwise polls every `intervalMs`.
 * Jobs of a worker that died are taken over when their lock expires. Periodic chores
 * (the expiry sweep) run on the poll.
 */
export function createWorker(
  deps: { store: Store; clock: Clock; logger: Logger },
  handlers: Record<string, JobHandler>,
  chores: (() => Promise<unknown>)[],
  opts: WorkerOptions,
) {
  const { store, clock, logger } = deps;
  let inflight = 0;
  let pumping: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping = false;
  const idle: (() => void)[] = [];

  /**
   * The slot a keyed job held, handed on in the transaction that ends it to the next due
   * job of its key: the running counts stay the same, so no claim (and no turn at the
   * claims' lock) is needed while an endpoint has a backlog. Not while stopping, and not
   * when the lock ran out meanwhile (another worker may have taken the job over).
   */
  const handOff = (tx: StoreTx, job: JobRow, now: number) =>
    job.concurrencyKey !== null && !stopping && (job.lockedUntil ?? 0) > now
      ? tx.jobs.claimNextForKey(job.concurrencyKey, now, now + opts.lockMs)
      : null;

  /** A job's end: its last writes, and `patch` to keep it for another run (none removes it). */
  interface Ending {
    job: JobRow;
    now: number;
    patch: Patch<JobRow> | null;
    write: ((tx: StoreTx) => Promise<void>) | undefined;
    done: (next: Promise<JobRow | null>) => void;
    failed: (err: unknown) => void;
  }

  /** One job's end in `tx`, handing its slot on: the next job is known once it commits. */
  const endIn = async (tx: StoreTx, e: Ending) => {
    await e.write?.(tx);
    if (e.patch) {
      await tx.jobs.update(e.job.id, { lockedUntil: null, updatedAt: e.now, ...e.patch });
    } else await tx.jobs.delete(e.job.id);
    return handOff(tx, e.job, e.now);
  };

  /**
   * Job ends are committed in groups: the ends that arrive while one commit is under way
   * go together in the next (on PostgreSQL one round trip and one WAL flush for all of
   * them, where a commit each was most of a webhook delivery's database time). An end
   * never waits for company: with no commit under way, it goes at once. If a group fails,
   * each of its ends is tried alone, so one bad end cannot sink the others.
   */
  let ending: Ending[] = [];
  let committing = false;
  const MAX_ENDS = 64;
  async function commitEnds() {
    committing = true;
    try {
      while (ending.length > 0) {
        const group = ending.slice(0, MAX_ENDS);
        ending = ending.slice(MAX_ENDS);
        await commitGroup(group);
      }
    } finally {
      committing = false;
    }
  }
  const handedTo = (e: Ending, handed: AfterCommit<JobRow | null> | null) =>
    e.done(handed ? handed.value : Promise.resolve(null));
  async function commitGroup(group: Ending[]) {
    try {
      const handed = await store.transaction(async (tx) => {
        const out: (AfterCommit<JobRow | null> | null)[] = [];
        for (const e of group) out.push(await endIn(tx, e));
        return out;
      });
      for (const [i, e] of group.entries()) handedTo(e, handed[i] ?? null);
    } catch (err) {
      if (group.length === 1) (group[0] as Ending).failed(err);
      else {
        await Promise.all(
          group.map((e) =>
            store.transaction((tx) => endIn(tx, e)).then((h) => handedTo(e, h), e.failed),
          ),
        );
      }
    }
  }

  /** Ends a job with its last writes and hands its slot on; says which job took the slot. */
  const end = (
    job: JobRow,
    now: number,
    patch: Patch<JobRow> | null,
    write?: (tx: StoreTx) => Promise<void>,
  ) =>
    new Promise<JobRow | null>((resolve, reject) => {
      ending.push({ job, now, patch, write, done: resolve, failed: reject });
      if (!committing) void commitEnds();
    });

  /** Runs one job and ends it; returns the job its slot was handed to, if any. */
  async function runJob(job: JobRow): Promise<JobRow | null> {
    try {
      const handler = handlers[job.kind];
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await handler(job.payload, job);
      const again = result?.retryAt;
      return await end(
        job,
        clock.now(),
        again === undefined ? null : { status: 'queued', runAt: again },
        result?.write,
      );
    } catch (err) {
      const attempts = job.attempts + 1;
      const dead = attempts >= MAX_JOB_ATTEMPTS;
      logger[dead ? 'error' : 'warn']({ err, job: job.id, kind: job.kind, attempts }, 'job failed');
      const now = clock.now();
      return end(job, now, {
        status: dead ? 'dead' : 'queued',
        attempts,
        runAt: now + backoff(attempts),
        lastError: String((err as Error)?.message ?? err).slice(0, 500),
      }).catch((e) => {
        logger.error({ err: e, job: job.id }, 'could not record job failure');
        return null;
      });
    }
  }

  // This worker's slots: keyed jobs (webhook deliveries) never take every one, so
  // payments' own jobs keep room. The per-endpoint and per-merchant bounds are not
  // counted here but in the database, over every worker (see `claimJobs`).
  let keyedInflight = 0;
  const keyedLimit = Math.max(1, opts.concurrency - Math.max(2, Math.ceil(opts.concurrency / 8)));

  function start(job: JobRow) {
    inflight++;
    const keyed = job.concurrencyKey !== null;
    if (keyed) keyedInflight++;
    void (async () => {
      // The slot goes to each job handed to it, one after another.
      for (let next: JobRow | null = job; next; ) next = await runJob(next);
    })().finally(() => {
      inflight--;
      if (keyed) keyedInflight--;
      wake();
      if (inflight === 0) for (const r of idle.splice(0)) r();
    });
  }

  /** Claims and starts due jobs while there is room; returns how many it started. */
  async function fill(): Promise<number> {
    let count = 0;
    while (inflight < opts.concurrency) {
      const now = clock.now();
      const batch = await store.transaction((tx) =>
        tx.jobs.claim(now, opts.concurrency - inflight, now + opts.lockMs, {
          perKey: opts.keyLimit,
          perGroup: opts.groupLimit,
          keyedRoom: keyedLimit - keyedInflight,
        }),
      );
      if (batch.length === 0) break;
      const short = batch.length < opts.concurrency - inflight;
      for (const job of batch) {
        start(job);
        count++;
      }
      // Fewer than asked for: nothing more can be claimed now.
      if (short) break;
    }
    return count;
  }

  /** Starts due work now; calls made while a fill runs make it go round once more. */
  function wake() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = (async () => {
      do {
        again = false;
        await fill().catch((err) => logger.error({ err }, 'worker could not claim jobs'));
      } while (again);
    })().finally(() => {
      pumping = null;
    });
  }

  async function runChores() {
    for (const chore of chores) {
      await chore().catch((err) => logger.error({ err }, 'worker chore failed'));
    }
  }

  const waitIdle = () =>
    inflight === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r));

  store.onJobsCommitted(() => {
    if (started) wake();
  });

  return {
    /**
     * Runs chores and every due job, including jobs those jobs queue, until none is due
     * and none is running. For tests and one-shot runs.
     */
    async drain(): Promise<void> {
      await runChores();
      for (;;) {
        const n = await fill();
        await waitIdle();
        if (pumping) await pumping;
        if (n === 0 && inflight === 0) return;
      }
    },
    start() {
      started = true;
      stopping = false;
      const loop = async () => {
        await runChores();
        wake();
        if (started) timer = setTimeout(loop, opts.intervalMs);
      };
      void loop();
    },
    async stop() {
      started = false;
      stopping = true;
      clearTimeout(timer);
      if (pumping) await pumping;
      await waitIdle();
    },
    get inflight() {
      return inflight;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
