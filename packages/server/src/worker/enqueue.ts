import { newId } from '@kassa/protocol';
import type { StoreTx } from '../store/types.ts';

/** Queues background work in the same transaction as the change that needs it. */
export async function enqueue(
  tx: StoreTx,
  kind: string,
  payload: Record<string, unknown>,
  runAt: number,
  now: number,
  concurrencyKey: string | null = null,
) {
  await tx.enqueueJob({
    id: newId('job'),
    kind,
    concurrencyKey,
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
