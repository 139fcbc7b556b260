import { newId } from '@kassa/protocol';
import type { StoreTx } from '../store/types.ts';

/** Queues background work in the same transaction as the change that needs it. */
export async function enqueue(
  tx: StoreTx,
  kind: string,
  payload: Record<string, unknown>,
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
  await tx.enqueueJob({
    id: newId('job'),
    kind,
    merchantId: at.merchantId,
    concurrencyKey: at.concurrencyKey ?? null,
    payload,
    status: 'queued',
    runAt,
    attempts: 0,
    lockedUntil: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  });
}

/** The group of a concurrency key `group/key` (a merchant); the key itself if none. */
export const groupOf = (key: string) => key.split('/')[0] as string;
