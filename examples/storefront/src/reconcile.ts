import type { Kassa, KassaEvent, PaymentIntent } from '@kassa/node';
import { and, gte, lt } from 'drizzle-orm';
import type { ShopDb } from './db/db.ts';
import * as s from './db/schema.ts';
import { handleEventOnce, type Order } from './orders.ts';

/** Seed 004's four cases, and orders whose payment is still under way. */
export type Case =
  | 'order_pending_or_failed_payment_succeeded'
  | 'order_paid_payment_failed'
  | 'both_failed'
  | 'both_succeeded'
  | 'in_progress';

export interface Row {
  order: Order;
  intent: { id: string; status: string } | null;
  case: Case;
  action: string;
}

const DAY = 86_400_000;
const dayBounds = (date: string) => {
  const start = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(start)) throw new Error('date must be YYYY-MM-DD');
  return { start, end: start + DAY };
};

type IntentView = Pick<PaymentIntent, 'id' | 'order_id' | 'status' | 'created'>;

/** Every intent of the day from the gateway's API, page by page. */
async function intentsOfDay(kassa: Kassa, start: number, end: number): Promise<IntentView[]> {
  const all: IntentView[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await kassa.paymentIntents.list({
      limit: 100,
      'created[gte]': Math.floor(start / 1000),
      'created[lte]': Math.floor(end / 1000) - 1,
      starting_after: after,
    });
    all.push(...page.data);
    if (!page.has_more || page.data.length === 0) return all;
    after = page.data[page.data.length - 1]?.id;
  }
}

/**
 * Compares the shop's orders of a day with the gateway's intents and sorts each into
 * seed 004's cases, with the action taken or proposed.
 */
export async function reconcile(db: ShopDb, kassa: Kassa, date: string): Promise<Row[]> {
  const { start, end } = dayBounds(date);
  const orders = db
    .select()
    .from(s.orders)
    .where(and(gte(s.orders.createdAt, start), lt(s.orders.createdAt, end)))
    .all();
  // Intents may be created a little after their order, even past midnight.
  const intents = await intentsOfDay(kassa, start, end + DAY);
  const byOrder = new Map<string, IntentView[]>();
  for (const i of intents) byOrder.set(i.order_id, [...(byOrder.get(i.order_id) ?? []), i]);
  return orders.map((order): Row => {
    const mine = byOrder.get(order.id) ?? [];
    const paid = mine.find((i) => i.status === 'succeeded' || i.status === 'requires_capture');
    const intent = paid ?? mine[0] ?? null;
    const view = intent ? { id: intent.id, status: intent.status } : null;
    const open = mine.some(
      (i) => !['succeeded', 'failed', 'canceled', 'expired'].includes(i.status),
    );
    if (paid && order.status !== 'PAID') {
      return {
        order,
        intent: view,
        case: 'order_pending_or_failed_payment_succeeded',
        action: 'Missed webhook: sync marks the order PAID.',
      };
    }
    if (order.status === 'PAID' && !paid) {
      return {
        order,
        intent: view,
        case: 'order_paid_payment_failed',
        action: 'Investigate: hold the goods; refund or cancel the order.',
      };
    }
    if (order.status === 'PAID')
      return { order, intent: view, case: 'both_succeeded', action: 'None.' };
    if (open || order.status === 'PENDING') {
      return {
        order,
        intent: view,
        case: 'in_progress',
        action: open ? 'Payment under way.' : 'Sync applies the outcome.',
      };
    }
    return { order, intent: view, case: 'both_failed', action: 'None.' };
  });
}

/**
 * Repairs missed webhooks: reads the gateway's events for the day and applies each one
 * not handled yet, through the same code (and the same receipts) as the webhook.
 */
export async function sync(
  db: ShopDb,
  kassa: Kassa,
  date: string,
): Promise<{ read: number; applied: number }> {
  const { start, end } = dayBounds(date);
  const events: KassaEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await kassa.events.list({
      limit: 100,
      type: 'payment_intent.*',
      'created[gte]': Math.floor(start / 1000),
      'created[lte]': Math.floor((end + DAY) / 1000),
      starting_after: after,
    });
    events.push(...page.data);
    if (!page.has_more || page.data.length === 0) break;
    after = page.data[page.data.length - 1]?.id;
  }
  let applied = 0;
  for (const event of events.reverse()) {
    if (handleEventOnce(db, event).order) applied++;
  }
  return { read: events.length, applied };
}
