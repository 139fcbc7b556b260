import type { EventAbout, EventObjectKind, KassaEvent } from './types.ts';

/**
 * Narrows an event to those about one kind of object: after it, `event.data.object` is
 * that object's type.
 *
 * @example
 * if (isEventAbout(event, 'payment_intent')) markOrder(event.data.object.order_id, event.type);
 */
export const isEventAbout = <O extends EventObjectKind>(
  event: KassaEvent,
  kind: O,
): event is EventAbout<O> => event.data.object.object === kind;
