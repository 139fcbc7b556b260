import { newId } from '@kassa/protocol';
import type { JobRow, StoreTx } from '../store/types.ts';

/**
 * A kind of background job: its name and the type of its payload. Each is defined next to
 * the feature that queues and handles it; `enqueue` and `handle` take the kind, so a
 * payload and its handler cannot disagree.
 *
 * @example
 * export const REFUND_JOB = jobKind<{ refund: string }>('refund.process');
 * await enqueue(tx, REFUND_JOB, { refund: row.id }, { runAt, now, merchantId });
 */
export interface JobKind<P> {
  readonly name: string;
  /** Type only: the payload this kind carries. */
  readonly payload?: P;
}
export const jobKind = <P extends object>(name: string): JobKind<P> => ({ name });

/**
 * What a handler answers: nothing when done; `retryAt` to run again then; `write` for its
 * last writes, which the worker commits in one transaction with the job's completion (a
 * delivery's outcome and the end of its job are one commit, not two).
 */
export type JobResult =
  | undefined
  | { retryAt?: number | undefined; write?: (tx: StoreTx) => Promise<void> };

/** A handler bound to its kind, for the worker's table. */
export function handle<P>(
  kind: JobKind<P>,
  // biome-ignore lint/suspicious/noConfusingVoidType: most handlers finish with no answer
  run: (payload: NoInfer<P>, job: JobRow) => Promise<JobResult | void>,
): [string, (payload: Record<string, unknown>, job: JobRow) => Promise<JobResult>] {
  // The payload was written by `enqueue` with this kind's type.
  return [kind.name, async (payload, job) => (await run(payload as P, job)) ?? undefined];
}

/**
 * When a job that waits on someone else (a processor still settling, one not answering)
 * asks again: a quarter of how long it has waited so far, between `minMs` and an hour, for
 * as long as it takes — it never runs out of attempts the way a failing job does.
 */
export const askAgainAt = (now: number, waitedMs: number, minMs: number) =>
  now + Math.min(3_600_000, Math.max(minMs, waitedMs / 4));

/** Queues background work in the same transaction as the change that needs it. */
export async function enqueue<P>(
  tx: StoreTx,
  kind: JobKind<P>,
  payload: NoInfer<P>,
  at: {
    runAt: number;
    now: number;
    /** Whose work this is: job statistics are shown per merchant. */
    merchantId: string | null;
    /** Jobs sharing a key run at most a bounded number at once (see the worker). */
    concurrencyKey?: string;
  },
) {
  const { runAt, now } = at;
  await tx.jobs.enqueue({
    id: newId('job'),
    kind: kind.name,
    merchantId: at.merchantId,
    concurrencyKey: at.concurrencyKey ?? null,
    payload: payload as Record<string, unknown>,
    status: 'queued',
    runAt,
    attempts: 0,
    lockedUntil: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  });
}
