import { type EventType, newId } from '@kassa/protocol';
import type { StoreTx } from '../store/types.ts';
import { fanOut } from '../webhooks/fan-out.ts';

/**
 * Appends an event with a snapshot of the object, and a delivery (with its job) for each
 * webhook endpoint that wants it. Called inside the transaction that makes the change,
 * so the change, its event and its deliveries commit together (the outbox).
 */
export async function recordEvent(
  tx: StoreTx,
  input: {
    merchantId: string;
    livemode: boolean;
    type: EventType;
    object: { id: string } & Record<string, unknown>;
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
  await tx.insertEvent(event);
  await fanOut(tx, event, input.now, { exclude: input.excludeEndpoint });
  return event.id;
}
