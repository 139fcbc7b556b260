import { randomBytes } from 'node:crypto';
import { isEventAbout, type Kassa, type KassaEvent } from '@kassa/node';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { ShopDb } from './db/db.ts';
import * as s from './db/schema.ts';

export type Order = typeof s.orders.$inferSelect;

const newOrderId = () =>
  `ORD_${Date.now().toString(36).toUpperCase()}${randomBytes(3).toString('hex').toUpperCase()}`;

export function cartOf(db: ShopDb, customerId: string) {
  return db
    .select({
      productId: s.cartItems.productId,
      quantity: s.cartItems.quantity,
      name: s.products.name,
      price: s.products.price,
      currency: s.products.currency,
    })
    .from(s.cartItems)
    .innerJoin(s.products, eq(s.products.id, s.cartItems.productId))
    .where(eq(s.cartItems.customerId, customerId))
    .all();
}

export function addToCart(db: ShopDb, customerId: string, productId: string, quantity: number) {
  const product = db.select().from(s.products).where(eq(s.products.id, productId)).get();
  if (!product) throw new Error(`no product ${productId}`);
  const q = Math.max(1, Math.min(20, Math.floor(quantity) || 1));
  db.insert(s.cartItems)
    .values({ customerId, productId, quantity: q })
    .onConflictDoUpdate({
      target: [s.cartItems.customerId, s.cartItems.productId],
      set: { quantity: sql`min(20, ${s.cartItems.quantity} + ${q})` },
    })
    .run();
}

/** A failed or expired order's items back in the cart, to order (and pay) again. */
export function reorder(db: ShopDb, customerId: string, orderId: string) {
  for (const item of db
    .select()
    .from(s.orderItems)
    .where(eq(s.orderItems.orderId, orderId))
    .all()) {
    addToCart(db, customerId, item.productId, item.quantity);
  }
}

export function removeFromCart(db: ShopDb, customerId: string, productId: string) {
  db.delete(s.cartItems)
    .where(and(eq(s.cartItems.customerId, customerId), eq(s.cartItems.productId, productId)))
    .run();
}

/** A shopper known by their browser's cookie only: a guest with a cart, orders and a
 * wallet of their own. Made on first sight; nothing happens if they exist. */
export function ensureGuest(db: ShopDb, customerId: string) {
  db.transaction((tx) => {
    tx.insert(s.customers)
      .values({
        id: customerId,
        name: 'Guest shopper',
        email: `${customerId.replace(/^cus_/, 'guest-').toLowerCase()}@example.com`,
      })
      .onConflictDoNothing()
      .run();
    tx.insert(s.wallets)
      .values({ customerId, balance: 0, currency: 'INR' })
      .onConflictDoNothing()
      .run();
  });
}

export const customerExists = (db: ShopDb, id: string) =>
  db.select({ id: s.customers.id }).from(s.customers).where(eq(s.customers.id, id)).get() !==
  undefined;

export const getOrder = (db: ShopDb, id: string) =>
  db.select().from(s.orders).where(eq(s.orders.id, id)).get();

export const ordersOf = (db: ShopDb, customerId: string) =>
  db
    .select()
    .from(s.orders)
    .where(eq(s.orders.customerId, customerId))
    .orderBy(desc(s.orders.createdAt))
    .all();

export const itemsOf = (db: ShopDb, orderId: string) =>
  db.select().from(s.orderItems).where(eq(s.orderItems.orderId, orderId)).all();

/**
 * Order first (seed 004): the order is written PENDING with the amount from our own
 * prices, and only then is a payment asked for.
 */
export function placeOrder(db: ShopDb, customerId: string, now = Date.now()): Order {
  const cart = cartOf(db, customerId);
  if (cart.length === 0) throw new Error('the cart is empty');
  const id = newOrderId();
  const amount = cart.reduce((sum, l) => sum + l.price * l.quantity, 0);
  const order: Order = {
    id,
    customerId,
    kind: 'order',
    amount,
    currency: cart[0]?.currency ?? 'INR',
    status: 'PENDING',
    paymentIntentId: null,
    amountRefunded: 0,
    clientSecret: null,
    createdAt: now,
    updatedAt: now,
  };
  db.transaction((tx) => {
    tx.insert(s.orders).values(order).run();
    tx.insert(s.orderItems)
      .values(
        cart.map((l) => ({
          orderId: id,
          productId: l.productId,
          name: l.name,
          quantity: l.quantity,
          price: l.price,
        })),
      )
      .run();
    tx.delete(s.cartItems).where(eq(s.cartItems.customerId, customerId)).run();
  });
  return order;
}

/** A wallet top-up is an order of its own kind (seed 001). */
export function placeTopUp(
  db: ShopDb,
  customerId: string,
  amount: number,
  now = Date.now(),
): Order {
  if (!Number.isInteger(amount) || amount < 100 || amount > 10_000_000)
    throw new Error('amount out of range');
  const order: Order = {
    id: newOrderId(),
    customerId,
    kind: 'topup',
    amount,
    currency: 'INR',
    status: 'PENDING',
    paymentIntentId: null,
    amountRefunded: 0,
    clientSecret: null,
    createdAt: now,
    updatedAt: now,
  };
  db.insert(s.orders).values(order).run();
  return order;
}

/**
 * The order's payment intent, created by our server with the order id as both order_id
 * and Idempotency-Key: asking again (a retry, a reload) never makes a second one.
 */
export async function ensureIntent(
  db: ShopDb,
  kassa: Kassa,
  order: Order,
  opts: { expiresIn?: number } = {},
) {
  if (order.paymentIntentId && order.clientSecret) return order;
  const customer = db.select().from(s.customers).where(eq(s.customers.id, order.customerId)).get();
  const intent = await kassa.paymentIntents.create(
    {
      amount: order.amount,
      currency: order.currency,
      order_id: order.id,
      description: order.kind === 'topup' ? 'Wallet top-up' : `Order ${order.id}`,
      customer: customer
        ? { id: customer.id, email: customer.email, name: customer.name }
        : undefined,
      metadata: { kind: order.kind },
      ...(opts.expiresIn ? { expires_in: opts.expiresIn } : {}),
    },
    { idempotencyKey: `intent-${order.id}` },
  );
  db.update(s.orders)
    .set({ paymentIntentId: intent.id, clientSecret: intent.client_secret, updatedAt: Date.now() })
    .where(eq(s.orders.id, order.id))
    .run();
  return { ...order, paymentIntentId: intent.id, clientSecret: intent.client_secret };
}

export function walletOf(db: ShopDb, customerId: string) {
  const wallet = db.select().from(s.wallets).where(eq(s.wallets.customerId, customerId)).get();
  const history = db
    .select()
    .from(s.walletTransactions)
    .where(eq(s.walletTransactions.customerId, customerId))
    .orderBy(desc(s.walletTransactions.createdAt))
    .all();
  return { balance: wallet?.balance ?? 0, currency: wallet?.currency ?? 'INR', history };
}

/**
 * The one place payment events change orders. PENDING → PAID | FAILED | EXPIRED, and a
 * late success still wins (money was taken); PAID never moves. A paid order queues its
 * confirmation e-mail; a paid top-up credits the wallet, exactly once, in the same
 * transaction. Returns the order if it changed.
 */
export function applyPaymentEvent(db: ShopDb, event: KassaEvent, now = Date.now()): Order | null {
  if (!isEventAbout(event, 'payment_intent')) return null;
  const pi = event.data.object;
  return db.transaction((tx) => {
    const order = tx.select().from(s.orders).where(eq(s.orders.id, pi.order_id)).get();
    if (!order || order.status === 'PAID') return null;
    let next: s.OrderStatus | null = null;
    if (event.type === 'payment_intent.succeeded') next = 'PAID';
    else if (order.paymentIntentId && order.paymentIntentId !== pi.id) next = null;
    else if (order.status !== 'PENDING') next = null;
    // A failed attempt leaves the order open: the shopper may try another card — until the
    // intent itself has failed (out of attempts), which ends the order too.
    else if (event.type === 'payment_intent.payment_failed' && pi.status === 'failed') {
      next = 'FAILED';
    } else if (event.type === 'payment_intent.canceled') next = 'FAILED';
    else if (event.type === 'payment_intent.expired') next = 'EXPIRED';
    if (!next) return null;

    tx.update(s.orders)
      .set({ status: next, paymentIntentId: pi.id, updatedAt: now })
      .where(and(eq(s.orders.id, order.id), eq(s.orders.status, order.status)))
      .run();
    if (next === 'PAID' && order.kind === 'topup') {
      const credited = tx
        .insert(s.walletTransactions)
        .values({
          customerId: order.customerId,
          orderId: order.id,
          amount: order.amount,
          createdAt: now,
        })
        .onConflictDoNothing()
        .run();
      if (credited.changes === 1) {
        tx.update(s.wallets)
          .set({ balance: sql`${s.wallets.balance} + ${order.amount}` })
          .where(eq(s.wallets.customerId, order.customerId))
          .run();
      }
    }
    if (next === 'PAID' && order.kind === 'order') {
      const customer = tx
        .select()
        .from(s.customers)
        .where(eq(s.customers.id, order.customerId))
        .get();
      tx.insert(s.emailOutbox)
        .values({
          orderId: order.id,
          to: customer?.email ?? 'unknown',
          subject: `Your order ${order.id} is confirmed`,
          body: `Thank you! We received your payment of ${(order.amount / 100).toFixed(2)} ${order.currency}.`,
          createdAt: now,
        })
        .onConflictDoNothing()
        .run();
    }
    return { ...order, status: next, paymentIntentId: pi.id, updatedAt: now };
  });
}

/** A refund the merchant made (in the dashboard or the API): the order shows what was
 * given back. Called once per event (the receipt guards it). */
export function applyRefundEvent(db: ShopDb, event: KassaEvent, now = Date.now()): Order | null {
  if (event.type !== 'refund.succeeded' || !isEventAbout(event, 'refund')) return null;
  const refund = event.data.object;
  const order = db
    .select()
    .from(s.orders)
    .where(eq(s.orders.paymentIntentId, refund.payment_intent))
    .get();
  if (!order) return null;
  db.update(s.orders)
    .set({ amountRefunded: sql`${s.orders.amountRefunded} + ${refund.amount}`, updatedAt: now })
    .where(eq(s.orders.id, order.id))
    .run();
  return getOrder(db, order.id) ?? null;
}

/**
 * Handles one event once: the receipt (keyed by the event id, which is the webhook-id)
 * and its effect commit together, so a redelivery or a sync of the same event is a
 * no-op.
 */
export function handleEventOnce(
  db: ShopDb,
  event: KassaEvent,
): { duplicate: boolean; order: Order | null } {
  return db.transaction((tx) => {
    const fresh = tx
      .insert(s.webhookReceipts)
      .values({ webhookId: event.id, type: event.type, receivedAt: Date.now() })
      .onConflictDoNothing()
      .run();
    if (fresh.changes === 0) return { duplicate: true, order: null };
    const db = tx as unknown as ShopDb;
    return { duplicate: false, order: applyRefundEvent(db, event) ?? applyPaymentEvent(db, event) };
  });
}
