import { NotificationError } from '../notification-error.ts';
import type { ProcessorNotification } from '../processor.ts';
import { disputeOf, notesOf, outcomeOf, refundOutcomeOf } from './outcomes.ts';
import type { RazorpayEvent, RazorpayOrder, RazorpayPayment } from './types.ts';

/** The events to enable on the webhook in Razorpay's dashboard. */
export const RAZORPAY_WEBHOOK_EVENTS = [
  'payment.authorized',
  'payment.captured',
  'payment.failed',
  'order.paid',
  'refund.processed',
  'refund.failed',
  'payment.dispute.created',
  'payment.dispute.won',
  'payment.dispute.lost',
  'payment.dispute.closed',
  'payment.dispute.under_review',
  'payment.dispute.action_required',
] as const;

/** The order a payment event names, as far as the event tells it: only its id and the
 * payment matter here, since the gateway asks Razorpay for the rest. */
const orderOf = (id: string, payment: RazorpayPayment): RazorpayOrder => ({
  id,
  entity: 'order',
  amount: payment.amount,
  amount_paid: 0,
  amount_due: payment.amount,
  currency: payment.currency,
  receipt: null,
  status: 'attempted',
  attempts: 1,
  notes: payment.notes,
  created_at: payment.created_at,
});

/**
 * A verified Razorpay webhook as Kassa's notification. It is a trigger: the gateway asks
 * Razorpay for the object before anything moves, so the entity here only says which
 * payment (by its order, Kassa's reference) and roughly how it stands. `id` is Razorpay's
 * `x-razorpay-event-id`, the same on each retry of one event.
 */
export function notificationOf(id: string, body: RazorpayEvent): ProcessorNotification {
  const payment = body.payload?.payment?.entity;
  const order = payment?.order_id ?? body.payload?.order?.entity?.id;
  if (body.event.startsWith('payment.dispute.')) {
    const dispute = body.payload?.dispute?.entity;
    if (!dispute || !order)
      throw new NotificationError(
        'malformed_notification',
        'A dispute event without its dispute or order.',
      );
    return { kind: 'dispute', id, reference: order, dispute: disputeOf(dispute, order) };
  }
  // Razorpay's own refund of an authorisation nobody captured (its auto-refund): news of
  // the payment, not a refund Kassa made. The gateway asks for the order, which has lapsed.
  if (body.event.startsWith('refund.') && payment && !payment.captured) {
    if (!order)
      throw new NotificationError('malformed_notification', 'A refund event without its order.');
    return {
      kind: 'payment',
      id,
      reference: order,
      outcome: outcomeOf(orderOf(order, payment), [payment]),
    };
  }
  if (body.event.startsWith('refund.')) {
    const refund = body.payload?.refund?.entity;
    if (!refund || !order)
      throw new NotificationError(
        'malformed_notification',
        'A refund event without its refund or order.',
      );
    const operationId = notesOf(refund.notes).kassa_operation;
    return {
      kind: 'refund',
      id,
      reference: order,
      refund: refundOutcomeOf(refund),
      ...(operationId && { operationId }),
    };
  }
  if (body.event.startsWith('payment.') || body.event === 'order.paid') {
    if (!payment || !order)
      throw new NotificationError(
        'malformed_notification',
        'A payment event without its payment or order.',
      );
    const orderEntity = body.payload.order?.entity ?? orderOf(order, payment);
    return { kind: 'payment', id, reference: order, outcome: outcomeOf(orderEntity, [payment]) };
  }
  return { kind: 'ignored', id, type: body.event };
}
