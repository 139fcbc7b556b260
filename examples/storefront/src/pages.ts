import type { Order } from './orders.ts';
import type { Row } from './reconcile.ts';

const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const money = (amount: number, currency: string) =>
  new Intl.NumberFormat('en-IN', { style: 'currency', currency }).format(amount / 100);

/** The page frame: checkout.js from the gateway, the shop's own script, the nav. */
export function layout(o: {
  title: string;
  gatewayUrl: string;
  body: string;
  cartCount: number;
  balance: string;
}) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(o.title)} · Chai &amp; Co</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/shop.css">
<script src="${esc(o.gatewayUrl)}/checkout.js"></script>
<script src="/static/shop.js" defer></script>
</head><body>
<header class="top"><a class="brand" href="/">Chai &amp; Co</a>
<nav><a href="/">Shop</a><a href="/cart">Cart (<span data-testid="cart-count">${o.cartCount}</span>)</a><a href="/orders">Orders</a>
<a href="/wallet">Wallet <span data-testid="nav-balance">${esc(o.balance)}</span></a><a href="/reconcile">Reconcile</a></nav></header>
<main>${o.body}</main>
<footer>An example merchant integration of Kassa: test mode, pay with 4242 4242 4242 4242.</footer>
</body></html>`;
}

export function catalogPage(
  products: { id: string; name: string; description: string; price: number; currency: string }[],
) {
  return `<h1>Fresh from the stall</h1><ul class="grid">${products
    .map(
      (
        p,
      ) => `<li class="card"><h2>${esc(p.name)}</h2><p>${esc(p.description)}</p><p class="price">${money(p.price, p.currency)}</p>
<form method="post" action="/cart"><input type="hidden" name="product" value="${esc(p.id)}">
<label>Qty <input name="quantity" type="number" min="1" max="20" value="1"></label>
<button type="submit">Add ${esc(p.name)} to cart</button></form></li>`,
    )
    .join('')}</ul>`;
}

export function cartPage(
  lines: { productId: string; name: string; quantity: number; price: number; currency: string }[],
) {
  if (lines.length === 0)
    return '<h1>Your cart</h1><p>Your cart is empty. <a href="/">Browse the shop</a>.</p>';
  const total = lines.reduce((s, l) => s + l.price * l.quantity, 0);
  const currency = lines[0]?.currency ?? 'INR';
  return `<h1>Your cart</h1><table class="cart"><tbody>${lines
    .map(
      (l) =>
        `<tr data-testid="cart-line"><td>${esc(l.name)} × ${l.quantity}</td><td>${money(l.price * l.quantity, l.currency)}</td><td><form method="post" action="/cart/remove"><input type="hidden" name="product" value="${esc(l.productId)}"><button type="submit" class="remove" aria-label="Remove ${esc(l.name)}">Remove</button></form></td></tr>`,
    )
    .join(
      '',
    )}</tbody><tfoot><tr><th>Total</th><th data-testid="cart-total">${money(total, currency)}</th><th></th></tr></tfoot></table>
<form method="post" action="/orders"><button type="submit" class="primary">Place order</button></form>`;
}

const STATUS_TEXT: Record<string, string> = {
  PENDING: 'Pending payment',
  PAID: 'Paid',
  FAILED: 'Payment failed',
  EXPIRED: 'Expired',
};

/** The shop's colour, passed to the payment modal so it looks like part of the shop. */
export const SHOP_ACCENT = '#2d6a4f';

export function orderPage(o: {
  order: Order;
  items: { name: string; quantity: number; price: number }[];
  timeline: { type: string; created: number }[];
  /** Just paid: the thank-you and receipt first. */
  thanks?: boolean;
}) {
  const { order } = o;
  const canPay = order.status === 'PENDING' && order.clientSecret;
  const receipt =
    o.thanks && order.status === 'PAID'
      ? `<section class="thanks" data-testid="thanks"><h1>Thank you!</h1><p>Your payment of <strong>${money(order.amount, order.currency)}</strong> was received and ${order.kind === 'topup' ? 'your wallet is topped up' : 'your order is confirmed'}.</p><dl class="receipt"><dt>Order</dt><dd>${esc(order.id)}</dd>${order.paymentIntentId ? `<dt>Payment reference</dt><dd data-testid="receipt-reference">${esc(order.paymentIntentId)}</dd>` : ''}<dt>Paid</dt><dd>${money(order.amount, order.currency)}</dd></dl><p><a href="/">Continue shopping</a> · <a href="/orders">Your orders</a></p></section>`
      : '';
  return `${receipt}<h1>${order.kind === 'topup' ? 'Wallet top-up' : 'Order'} ${esc(order.id)}</h1>
<p class="status">Status: <strong data-testid="order-status" data-status="${order.status}" data-order="${esc(order.id)}">${STATUS_TEXT[order.status]}</strong></p>
<p id="pay-message" role="status" aria-live="polite" data-testid="pay-message"></p>
${o.items.length ? `<ul>${o.items.map((i) => `<li>${esc(i.name)} × ${i.quantity} — ${money(i.price * i.quantity, order.currency)}</li>`).join('')}</ul>` : ''}
<p class="total">Total: <strong>${money(order.amount, order.currency)}</strong></p>
${order.amountRefunded > 0 ? `<p class="refunded">Refunded: <strong data-testid="order-refunded">${money(order.amountRefunded, order.currency)}</strong></p>` : ''}
${canPay ? `<p class="pay-row"><button type="button" class="primary" id="pay" data-client-secret="${esc(order.clientSecret)}" data-theme="${SHOP_ACCENT}">Pay ${money(order.amount, order.currency)}</button> <label>Payment page in <select id="pay-locale" data-testid="pay-locale"><option value="en">English</option><option value="hi" lang="hi">हिन्दी</option></select></label></p>` : ''}
${(order.status === 'FAILED' || order.status === 'EXPIRED') && order.kind === 'order' ? `<form method="post" action="/orders/${esc(order.id)}/again"><p>This order can no longer be paid. <button type="submit" class="primary">Order these again</button></p></form>` : ''}
<h2>Payment timeline</h2>
${o.timeline.length ? `<ol class="timeline" data-testid="timeline">${o.timeline.map((e) => `<li><code>${esc(e.type)}</code> <time>${new Date(e.created * 1000).toISOString().replace('T', ' ').slice(0, 19)}</time></li>`).join('')}</ol>` : '<p>No payment events yet.</p>'}`;
}

export function ordersPage(orders: Order[]) {
  if (orders.length === 0) return '<h1>Your orders</h1><p>No orders yet.</p>';
  return `<h1>Your orders</h1><div class="scroll"><table class="orders"><thead><tr><th>Order</th><th>Kind</th><th>Amount</th><th>Status</th></tr></thead><tbody>${orders
    .map(
      (o) =>
        `<tr><td><a href="/orders/${esc(o.id)}">${esc(o.id)}</a></td><td>${o.kind}</td><td>${money(o.amount, o.currency)}</td><td>${STATUS_TEXT[o.status]}</td></tr>`,
    )
    .join('')}</tbody></table></div>`;
}

export function walletPage(w: {
  balance: number;
  currency: string;
  history: { orderId: string; amount: number; createdAt: number }[];
}) {
  return `<h1>Your wallet</h1>
<p class="balance">Balance: <strong data-testid="wallet-balance">${money(w.balance, w.currency)}</strong></p>
<form method="post" action="/wallet/topups"><label>Add funds (₹) <input name="amount" type="number" min="1" max="100000" value="500" required></label>
<button type="submit" class="primary">Add funds</button></form>
<h2>History</h2>${w.history.length ? `<ul data-testid="wallet-history">${w.history.map((h) => `<li>+${money(h.amount, w.currency)} from <a href="/orders/${esc(h.orderId)}">${esc(h.orderId)}</a></li>`).join('')}</ul>` : '<p>No top-ups yet.</p>'}`;
}

const CASE_TEXT: Record<Row['case'], string> = {
  order_pending_or_failed_payment_succeeded: 'Order not paid, payment succeeded',
  order_paid_payment_failed: 'Order paid, payment failed',
  both_failed: 'Both failed',
  both_succeeded: 'Both succeeded',
  in_progress: 'In progress',
};

export function reconcilePage(o: {
  date: string;
  rows: Row[];
  synced?: { read: number; applied: number };
}) {
  const mismatches = o.rows.filter(
    (r) =>
      r.case === 'order_pending_or_failed_payment_succeeded' ||
      r.case === 'order_paid_payment_failed',
  );
  return `<h1>Reconciliation</h1>
<form method="get" action="/reconcile"><label>Day <input type="date" name="date" value="${esc(o.date)}"></label> <button type="submit">Compare</button></form>
${o.synced ? `<p role="status" data-testid="sync-result">Sync read ${o.synced.read} events and repaired ${o.synced.applied} orders.</p>` : ''}
<p data-testid="mismatch-count">${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'} of ${o.rows.length} orders.</p>
<div class="scroll"><table data-testid="reconcile"><thead><tr><th>Order</th><th>Shop</th><th>Gateway</th><th>Case</th><th>Action</th></tr></thead><tbody>${o.rows
    .map(
      (r) =>
        `<tr data-order="${esc(r.order.id)}" data-case="${r.case}"><td><a href="/orders/${esc(r.order.id)}">${esc(r.order.id)}</a></td><td>${r.order.status}</td><td>${esc(r.intent?.status ?? '—')}</td><td>${CASE_TEXT[r.case]}</td><td>${esc(r.action)}</td></tr>`,
    )
    .join('')}</tbody></table></div>
<form method="post" action="/reconcile/sync"><input type="hidden" name="date" value="${esc(o.date)}"><button type="submit" class="primary">Sync from the gateway's events</button></form>`;
}
