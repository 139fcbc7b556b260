import { type EventType, type KassaEventOf, newId } from '@kassa/protocol';
import type { StoreTx } from '../store/types.ts';
import { fanOut } from './fan-out.ts';

/**
 * Appends an event with a snapshot of the object, and a delivery (with its job) for each
 * webhook endpoint that wants it. Called inside the transaction that makes the change,
 * so the change, its event and its deliveries commit together (the outbox).
 */
export async function recordEvent<T extends EventType>(
  tx: StoreTx,
  input: {
    merchantId: string;
    livemode: boolean;
    type: T;
    /** Exactly the object type this event type carries. */
    object: KassaEventOf<T>['data']['object'];
    now: number;
    /** An endpoint that must not receive this event (the one a dead delivery is about). */
    excludeEndpoint?: string;
  },
): Promise<string> {
  const event = {
    id: newId('evt'),
    merchantId: input.merchantId,
    livemode: input.livemode,
    type: input.type,
    objectId: input.object.id,
    data: input.object,
    createdAt: input.now,
  };
  await tx.events.insert(event);
  await fanOut(tx, event, input.now, { exclude: input.excludeEndpoint });
  return event.id;
}
