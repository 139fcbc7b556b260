import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const products = sqliteTable('products', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  /** Minor units: the shop's database decides prices, never the browser. */
  price: integer('price').notNull(),
  currency: text('currency').notNull(),
});

export const customers = sqliteTable('customers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull(),
});

export const cartItems = sqliteTable(
  'cart_items',
  {
    customerId: text('customer_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [uniqueIndex('cart_items_line').on(t.customerId, t.productId)],
);

export type OrderStatus = 'PENDING' | 'PAID' | 'FAILED' | 'EXPIRED';

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    /** `order` for goods, `topup` for wallet funds (seed 001). */
    kind: text('kind', { enum: ['order', 'topup'] }).notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    paymentIntentId: text('payment_intent_id'),
    /** Money given back (minor units), from the gateway's refund.succeeded events. */
    amountRefunded: integer('amount_refunded').notNull().default(0),
    clientSecret: text('client_secret'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('orders_customer').on(t.customerId, t.createdAt),
    index('orders_created').on(t.createdAt),
  ],
);

export const orderItems = sqliteTable('order_items', {
  orderId: text('order_id').notNull(),
  productId: text('product_id').notNull(),
  name: text('name').notNull(),
  quantity: integer('quantity').notNull(),
  price: integer('price').notNull(),
});

/** Every webhook-id seen: a delivery that comes twice is handled once. */
export const webhookReceipts = sqliteTable('webhook_receipts', {
  webhookId: text('webhook_id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: integer('received_at').notNull(),
});

/** Order confirmations waiting to be e-mailed (no real e-mail is sent). */
export const emailOutbox = sqliteTable('email_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  orderId: text('order_id').notNull().unique(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const wallets = sqliteTable('wallets', {
  customerId: text('customer_id').primaryKey(),
  balance: integer('balance').notNull(),
  currency: text('currency').notNull(),
});

/** One credit per top-up order, ever: `order_id` is unique. */
export const walletTransactions = sqliteTable('wallet_transactions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  customerId: text('customer_id').notNull(),
  orderId: text('order_id').notNull().unique(),
  amount: integer('amount').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Key-value state: the events cursor that sync has read up to. */
export const shopState = sqliteTable('shop_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
