import { type EventType, newId } from '@kassa/protocol';
import type { StoreTx } from '../store/types.ts';

/**
 * Appends an event with a snapshot of the object. Called inside the transaction that
 * makes the change, so the change and its event commit together (the outbox that
 * webhooks and the events API read).
 */
export async function recordEvent(
  tx: StoreTx,
  input: {
    merchantId: string;
    livemode: boolean;
    type: EventType;
    object: { id: string } & Record<string, unknown>;
    now: number;
  },
): Promise<string> {
  const id = newId('evt');
  await tx.insertEvent({
    id,
    merchantId: input.merchantId,
    livemode: input.livemode,
    type: input.type,
    objectId: input.object.id,
    data: input.object,
    createdAt: input.now,
  });
  return id;
}
