import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kassa, verifyWebhook } from '@kassa/node';
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { ShopDb } from './db/db.ts';
import * as s from './db/schema.ts';
import { createLive } from './live.ts';
import {
  addToCart,
  cartOf,
  customerExists,
  ensureGuest,
  ensureIntent,
  getOrder,
  handleEventOnce,
  itemsOf,
  ordersOf,
  placeOrder,
  placeTopUp,
  removeFromCart,
  reorder,
  walletOf,
} from './orders.ts';
import * as pages from './pages.ts';
import { reconcile, sync } from './reconcile.ts';

const STATIC = join(dirname(fileURLToPath(import.meta.url)), 'static');

export interface ShopOptions {
  db: ShopDb;
  kassa: Kassa;
  /** Where shoppers' browsers load checkout.js from. */
  gatewayUrl: string;
  /** The signing secret of the shop's webhook endpoint at the gateway. */
  webhookSecret: () => string;
  /** Seconds a payment stays open (the gateway's default when not set). */
  intentExpiresIn?: number;
  /** Test-only switches: make the webhook endpoint fail or drop events. */
  testControls?: boolean;
}

/** The cookie that gives each browser its own cart, orders and wallet. */
const SESSION_COOKIE = 'shop_customer';
const SESSION_ID = /^cus_[A-Za-z0-9_-]{22}$/;
const today = () => new Date().toISOString().slice(0, 10);

/**
 * The example shop. It knows Kassa only as a merchant would: @kassa/node on the server,
 * checkout.js in the page, and signed webhooks.
 */
export function createShop(o: ShopOptions) {
  const { db, kassa } = o;
  const live = createLive();
  const app = new Hono();
  let webhookMode: 'ok' | 'down' | 'drop' = 'ok';

  /** The shopper behind this browser: a guest made on first sight, kept by a cookie. */
  const shopper = (c: Context): string => {
    const known = getCookie(c, SESSION_COOKIE);
    if (known && SESSION_ID.test(known) && customerExists(db, known)) return known;
    const id = `cus_${randomBytes(16).toString('base64url')}`;
    ensureGuest(db, id);
    setCookie(c, SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: new URL(c.req.url).protocol === 'https:',
      path: '/',
      maxAge: 60 * 60 * 24 * 365,
    });
    return id;
  };

  const page = (customer: string, title: string, body: string) => {
    const cart = cartOf(db, customer).reduce((n, l) => n + l.quantity, 0);
    const w = walletOf(db, customer);
    return pages.layout({
      title,
      body,
      gatewayUrl: o.gatewayUrl,
      cartCount: cart,
      balance: pages.money(w.balance, w.currency),
    });
  };

  app.get('/health', (c) => c.text('ok'));
  const TYPES: Record<string, string> = {
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
    svg: 'image/svg+xml',
  };
  // Browsers ask for /favicon.ico whatever the page says.
  app.get('/favicon.ico', (c) => c.redirect('/static/favicon.svg', 301));
  app.get('/static/:file', (c) => {
    const file = c.req.param('file');
    if (!/^(shop\.(js|css)|favicon\.svg)$/.test(file)) return c.notFound();
    return c.body(readFileSync(join(STATIC, file)), 200, {
      'content-type': TYPES[file.split('.').pop() as string] as string,
    });
  });

  app.get('/', (c) =>
    c.html(page(shopper(c), 'Shop', pages.catalogPage(db.select().from(s.products).all()))),
  );
  app.post('/cart', async (c) => {
    const form = await c.req.parseBody();
    const product = String(form.product ?? '');
    if (
      !db
        .select()
        .from(s.products)
        .all()
        .some((p) => p.id === product)
    ) {
      return c.text('No such product.', 400);
    }
    addToCart(db, shopper(c), product, Number(form.quantity ?? 1));
    return c.redirect('/cart', 303);
  });
  app.post('/cart/remove', async (c) => {
    const form = await c.req.parseBody();
    removeFromCart(db, shopper(c), String(form.product ?? ''));
    return c.redirect('/cart', 303);
  });
  app.get('/cart', (c) => {
    const customer = shopper(c);
    return c.html(page(customer, 'Cart', pages.cartPage(cartOf(db, customer))));
  });

  // Order first, then the payment: the amount comes from our database, never the browser.
  app.post('/orders', async (c) => {
    const customer = shopper(c);
    if (cartOf(db, customer).length === 0) return c.redirect('/cart', 303);
    const order = placeOrder(db, customer);
    await ensureIntent(db, kassa, order, { expiresIn: o.intentExpiresIn }).catch(() => null);
    return c.redirect(`/orders/${order.id}`, 303);
  });
  app.get('/orders', (c) => {
    const customer = shopper(c);
    return c.html(page(customer, 'Orders', pages.ordersPage(ordersOf(db, customer))));
  });
  app.get('/orders/:id', async (c) => {
    const customer = shopper(c);
    let order = getOrder(db, c.req.param('id'));
    // Another browser's order is not found here.
    if (!order || order.customerId !== customer) return c.notFound();
    if (order.status === 'PENDING' && !order.paymentIntentId) {
      order = await ensureIntent(db, kassa, order, { expiresIn: o.intentExpiresIn });
    }
    const timeline = order.paymentIntentId
      ? (
          await kassa.events
            .list({ object: order.paymentIntentId, limit: 100 })
            .catch(() => ({ data: [] }))
        ).data
          .map((e) => ({ type: e.type, created: e.created }))
          .reverse()
      : [];
    return c.html(
      page(
        customer,
        `Order ${order.id}`,
        pages.orderPage({
          order,
          items: itemsOf(db, order.id),
          timeline,
          thanks: c.req.query('thanks') === '1',
        }),
      ),
    );
  });
  // A failed or expired order cannot be paid any more: its items go back in the cart.
  app.post('/orders/:id/again', (c) => {
    const customer = shopper(c);
    const order = getOrder(db, c.req.param('id'));
    if (!order || order.customerId !== customer) return c.notFound();
    if (order.status === 'FAILED' || order.status === 'EXPIRED') reorder(db, customer, order.id);
    return c.redirect('/cart', 303);
  });
  // The order's status, live: the page shows "confirming" until the webhook settles it.
  app.get('/orders/:id/live', (c) => {
    const id = c.req.param('id');
    return streamSSE(c, async (stream) => {
      let changed: () => void = () => {};
      const wait = () =>
        new Promise<void>((r) => {
          changed = r;
        });
      const off = live.on(id, () => changed());
      stream.onAbort(() => changed());
      try {
        for (let i = 0; i < 600 && !stream.aborted; i++) {
          const order = getOrder(db, id);
          if (!order) return;
          await stream.writeSSE({
            event: 'order',
            data: JSON.stringify({ id, status: order.status }),
          });
          if (order.status !== 'PENDING') return;
          await Promise.race([wait(), stream.sleep(15_000)]);
        }
      } finally {
        off();
      }
    });
  });

  app.get('/wallet', (c) => {
    const customer = shopper(c);
    return c.html(page(customer, 'Wallet', pages.walletPage(walletOf(db, customer))));
  });
  app.post('/wallet/topups', async (c) => {
    const customer = shopper(c);
    const form = await c.req.parseBody();
    const rupees = Number(form.amount);
    if (!Number.isFinite(rupees) || rupees < 1 || rupees > 100_000) {
      return c.html(
        page(
          customer,
          'Wallet',
          `<p role="alert">Enter an amount from ₹1 to ₹1,00,000.</p>${pages.walletPage(walletOf(db, customer))}`,
        ),
        400,
      );
    }
    const order = placeTopUp(db, customer, Math.round(rupees * 100));
    await ensureIntent(db, kassa, order, { expiresIn: o.intentExpiresIn }).catch(() => null);
    return c.redirect(`/orders/${order.id}`, 303);
  });

  app.get('/reconcile', async (c) => {
    const date = c.req.query('date') ?? today();
    return c.html(
      page(
        shopper(c),
        'Reconciliation',
        pages.reconcilePage({ date, rows: await reconcile(db, kassa, date) }),
      ),
    );
  });
  app.post('/reconcile/sync', async (c) => {
    const date = String((await c.req.parseBody()).date ?? today());
    const synced = await sync(db, kassa, date);
    // Reconciliation is the shop's, across every shopper: any open order page may change.
    const rows = await reconcile(db, kassa, date);
    for (const r of rows) live.changed(r.order.id);
    return c.html(page(shopper(c), 'Reconciliation', pages.reconcilePage({ date, rows, synced })));
  });

  // The webhook: verified, deduplicated by webhook-id, applied once; never trusted blindly.
  app.post('/webhooks/kassa', async (c) => {
    if (webhookMode === 'down') return c.text('down for maintenance', 503);
    const raw = await c.req.text();
    let event: ReturnType<typeof verifyWebhook>;
    try {
      event = verifyWebhook(raw, c.req.raw.headers, o.webhookSecret());
    } catch (err) {
      return c.json({ error: (err as { code?: string }).code ?? 'invalid' }, 400);
    }
    if (webhookMode === 'drop') return c.json({ received: true, dropped: true });
    const { duplicate, order } = handleEventOnce(db, event);
    if (order) live.changed(order.id);
    return c.json({ received: true, duplicate });
  });

  if (o.testControls) {
    app.post('/__test/webhooks', async (c) => {
      webhookMode = ((await c.req.json()) as { mode: typeof webhookMode }).mode;
      return c.json({ mode: webhookMode });
    });
    app.get('/__test/orders/:id', async (c) => {
      const order = getOrder(db, c.req.param('id'));
      const intent = order?.paymentIntentId
        ? await kassa.paymentIntents.retrieve(order.paymentIntentId)
        : null;
      const emails = db
        .select()
        .from(s.emailOutbox)
        .all()
        .filter((e) => e.orderId === order?.id).length;
      const credits = db
        .select()
        .from(s.walletTransactions)
        .all()
        .filter((t) => t.orderId === order?.id).length;
      return c.json({ order, intent, emails, credits });
    });
  }
  return app;
}
