import { expect, type Page, test } from '@playwright/test';
import { fillCard } from './helpers.ts';

// The shop's webhook switch is shared: these run one after another.
test.describe.configure({ mode: 'serial' });

const shop = () => process.env.E2E_SHOP_URL as string;
const gateway = () => process.env.E2E_GATEWAY_URL as string;
const modal = (page: Page) => page.frameLocator('dialog.kassa iframe');
const status = (page: Page) => page.getByTestId('order-status');

async function webhooks(page: Page, mode: 'ok' | 'down' | 'drop') {
  await page.request.post(`${shop()}/__test/webhooks`, { data: { mode } });
}

/** Catalog → cart → Place order: the order page, its id. */
async function placeOrder(page: Page, product = 'Masala chai') {
  await page.goto(shop());
  await page.getByRole('button', { name: `Add ${product} to cart` }).click();
  await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(status(page)).toHaveAttribute('data-status', 'PENDING');
  return (await status(page).getAttribute('data-order')) as string;
}

async function payWithCard(page: Page, number: string) {
  await page.getByRole('button', { name: /^Pay / }).click();
  await fillCard(modal(page), number);
  await modal(page).getByRole('button', { name: /^Pay / }).click();
}

const orderState = async (page: Page, id: string) =>
  (await (await page.request.get(`${shop()}/__test/orders/${id}`)).json()) as {
    order: { status: string; paymentIntentId: string };
    intent: {
      status: string;
      amount: number;
      amount_received: number;
      amount_refunded: number;
    } | null;
    emails: number;
    credits: number;
  };

const auth = () => ({ authorization: `Bearer ${process.env.E2E_SHOP_SECRET_KEY}` });

/** How the gateway's deliveries of one intent's event of `type` to the shop went. */
async function deliveriesOf(page: Page, intentId: string, type: string) {
  const get = async (path: string) =>
    (await (await page.request.get(`${gateway()}${path}`, { headers: auth() })).json()) as {
      data: { id: string; event?: string; status?: string; attempt_count?: number }[];
    };
  const events = new Set(
    (await get(`/v1/events?object=${intentId}&type=${type}`)).data.map((e) => e.id),
  );
  const out = [];
  // The shop's own endpoint only: other specs add endpoints of their own to this merchant.
  const endpoints = (await get('/v1/webhook_endpoints?limit=100')).data as {
    id: string;
    url?: string;
  }[];
  for (const endpoint of endpoints.filter((e) => e.url?.startsWith(shop()))) {
    const list = await get(`/v1/webhook_endpoints/${endpoint.id}/deliveries?limit=100`);
    out.push(...list.data.filter((d) => events.has(d.event as string)));
  }
  return out;
}

test.afterEach(async ({ page }) => {
  await webhooks(page, 'ok');
});

test('buy: the order is written first, and the webhook (not the browser) marks it PAID', async ({
  page,
}) => {
  const id = await placeOrder(page);
  await payWithCard(page, '4242 4242 4242 4242');
  // The modal, in the shop's colour and name, confirms the payment and closes itself.
  await expect(page.locator('dialog.kassa iframe')).toHaveAttribute('src', /theme=%232d6a4f/);
  await expect(modal(page).getByTestId('screen')).toContainText('paid to Chai & Co');
  // (That the browser's onSuccess alone marks nothing paid is shown with the webhook down, below.)
  await expect(status(page)).toHaveAttribute('data-status', 'PAID');
  await expect(page.locator('dialog.kassa')).toHaveCount(0);
  // Then the shop's thank-you page: a receipt, and the order's payment timeline.
  const thanks = page.getByTestId('thanks');
  await expect(thanks).toContainText('Thank you!');
  await expect(thanks).toContainText('₹120.00');
  await expect(page).toHaveURL(/thanks=1/);
  await expect(page.getByTestId('timeline')).toContainText('payment_intent.succeeded');
  const state = await orderState(page, id);
  await expect(page.getByTestId('receipt-reference')).toHaveText(state.order.paymentIntentId);
  expect(state.intent).toMatchObject({
    status: 'succeeded',
    amount: 12000,
    amount_received: 12000,
  });
  expect(state.emails).toBe(1);
});

test('declined, then paid with another card', async ({ page }) => {
  await placeOrder(page, 'Filter coffee');
  await payWithCard(page, '4000 0000 0000 0002');
  await expect(modal(page).getByTestId('decline')).toContainText('Your card was declined.');
  await expect(status(page)).toHaveAttribute('data-status', 'PENDING');
  await fillCard(modal(page), '5555 5555 5555 4444');
  await modal(page).getByRole('button', { name: /^Pay / }).click();
  await expect(status(page)).toHaveAttribute('data-status', 'PAID');
});

test('out of attempts from this browser: the shop stops offering Pay and says why', async ({
  page,
}) => {
  await placeOrder(page, 'Filter coffee');
  await payWithCard(page, '4000 0000 0000 0002');
  // Five declines from one browser (KASSA_MAX_ATTEMPTS_PER_CLIENT): the page says it is
  // over, closes, and the shop hears too_many_attempts.
  for (let tries = 1; tries < 5; tries++) {
    await expect(modal(page).getByTestId('decline')).toContainText('Your card was declined.');
    await fillCard(modal(page), '4000 0000 0000 0002');
    await modal(page).getByRole('button', { name: /^Pay / }).click();
  }
  await expect(page.getByTestId('pay-message')).toContainText('Too many tries for this payment');
  await expect(page.locator('#pay')).toBeHidden();
});

test('3-D Secure', async ({ page }) => {
  await placeOrder(page);
  await payWithCard(page, '4000 0027 6000 3184');
  await modal(page)
    .frameLocator('iframe.challenge')
    .getByRole('button', { name: 'Complete authentication' })
    .click();
  await expect(status(page)).toHaveAttribute('data-status', 'PAID');
});

test('the shopper picks Hindi beside Pay and the payment page speaks it', async ({ page }) => {
  await placeOrder(page, 'Filter coffee');
  await page.getByTestId('pay-locale').selectOption('hi');
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(modal(page).locator('html')).toHaveAttribute('lang', 'hi');
  await expect(modal(page).getByRole('button', { name: /भुगतान/ })).toBeVisible();
});

test('UPI', async ({ page }) => {
  await placeOrder(page, 'Samosa box');
  await page.getByRole('button', { name: /^Pay / }).click();
  await modal(page).getByRole('radio', { name: 'UPI' }).click();
  await modal(page).getByLabel('UPI ID').fill('success@kassa');
  await modal(page).getByRole('button', { name: /^Pay / }).click();
  await expect(status(page)).toHaveAttribute('data-status', 'PAID', { timeout: 15_000 });
});

test('closing the modal leaves the order PENDING; reopened, it pays', async ({ page }) => {
  const id = await placeOrder(page);
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(modal(page).getByLabel('Card number')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pay-message')).toContainText('still pending');
  expect((await orderState(page, id)).order.status).toBe('PENDING');
  await payWithCard(page, '4242 4242 4242 4242');
  await expect(status(page)).toHaveAttribute('data-status', 'PAID');
});

test('double-clicking Pay and reloading mid-payment make one charge', async ({ page }) => {
  const id = await placeOrder(page);
  await page.getByRole('button', { name: /^Pay / }).dblclick();
  await expect(page.locator('dialog.kassa')).toHaveCount(1);
  await fillCard(modal(page), '4000 0000 0000 1059'); // settles asynchronously
  await modal(page).getByRole('button', { name: /^Pay / }).dblclick();
  await expect(
    modal(page).getByRole('heading', { name: 'Waiting for confirmation…' }),
  ).toBeVisible();
  await page.reload();
  await expect(status(page)).toHaveAttribute('data-status', 'PAID', { timeout: 15_000 });
  const state = await orderState(page, id);
  expect(state.intent).toMatchObject({ status: 'succeeded', amount_received: 12000 });
  const events = await page.request.get(
    `${gateway()}/v1/events?object=${state.order.paymentIntentId}&limit=100`,
    {
      headers: { authorization: `Bearer ${process.env.E2E_SHOP_SECRET_KEY}` },
    },
  );
  const types = ((await events.json()) as { data: { type: string }[] }).data.map((e) => e.type);
  expect(types.filter((t) => t === 'payment_intent.succeeded')).toHaveLength(1);
  expect(types.filter((t) => t === 'payment_intent.processing')).toHaveLength(1);
});

test('with the shop’s webhook endpoint down during the payment, the order is PAID after the retry', async ({
  page,
}) => {
  const id = await placeOrder(page);
  await webhooks(page, 'down');
  await payWithCard(page, '4242 4242 4242 4242');
  await expect(page.getByTestId('pay-message')).toHaveText(
    'Payment received, confirming your order…',
  );
  // The gateway has tried the shop, and failed: only now does PENDING mean something.
  const { paymentIntentId } = (await orderState(page, id)).order;
  await expect
    .poll(async () =>
      (await deliveriesOf(page, paymentIntentId, 'payment_intent.succeeded')).some(
        (d) => (d.attempt_count ?? 0) >= 1 && d.status === 'pending',
      ),
    )
    .toBe(true);
  expect((await orderState(page, id)).order.status).toBe('PENDING');
  await webhooks(page, 'ok');
  await expect(status(page)).toHaveAttribute('data-status', 'PAID', { timeout: 15_000 });
});

test('a wallet top-up is credited once, even when the same webhook comes twice', async ({
  page,
}) => {
  await page.goto(`${shop()}/wallet`);
  const before = await page.getByTestId('wallet-balance').textContent();
  await page.getByLabel('Add funds (₹)').fill('500');
  await page.getByRole('button', { name: 'Add funds' }).click();
  const id = (await status(page).getAttribute('data-order')) as string;
  await payWithCard(page, '4242 4242 4242 4242');
  await expect(status(page)).toHaveAttribute('data-status', 'PAID');
  const { order } = await orderState(page, id);
  // Send the succeeded event again: same webhook-id, so the shop ignores it.
  const auth = { authorization: `Bearer ${process.env.E2E_SHOP_SECRET_KEY}` };
  const list = await page.request.get(
    `${gateway()}/v1/events?object=${order.paymentIntentId}&type=payment_intent.succeeded`,
    { headers: auth },
  );
  const eventId = ((await list.json()) as { data: { id: string }[] }).data[0]?.id;
  const again = await page.request.post(`${gateway()}/v1/events/${eventId}/redeliver`, {
    headers: auth,
    data: {},
  });
  expect(again.ok()).toBe(true);
  const redelivered = ((await again.json()) as { deliveries: string[] }).deliveries;
  expect(redelivered).toHaveLength(1);
  // The shop has answered the second delivery: only now is one credit a result.
  await expect
    .poll(
      async () =>
        (await deliveriesOf(page, order.paymentIntentId, 'payment_intent.succeeded')).find(
          (d) => d.id === redelivered[0],
        )?.status,
    )
    .toBe('delivered');
  expect((await orderState(page, id)).credits).toBe(1);
  await page.goto(`${shop()}/wallet`);
  const toRupees = (t: string | null) => Number(String(t).replace(/[^\d.]/g, ''));
  expect(toRupees(await page.getByTestId('wallet-balance').textContent()) - toRupees(before)).toBe(
    500,
  );
});

test('reconciliation finds a dropped webhook, and sync repairs it', async ({ page }) => {
  await webhooks(page, 'drop');
  const id = await placeOrder(page);
  await payWithCard(page, '4242 4242 4242 4242');
  await expect(page.getByTestId('pay-message')).toHaveText(
    'Payment received, confirming your order…',
  );
  await expect.poll(async () => (await orderState(page, id)).intent?.status).toBe('succeeded');
  // The shop took the webhook and dropped it: only now does PENDING mean something.
  const { paymentIntentId } = (await orderState(page, id)).order;
  await expect
    .poll(async () =>
      (await deliveriesOf(page, paymentIntentId, 'payment_intent.succeeded')).some(
        (d) => d.status === 'delivered',
      ),
    )
    .toBe(true);
  expect((await orderState(page, id)).order.status).toBe('PENDING');
  await webhooks(page, 'ok');
  await page.goto(`${shop()}/reconcile`);
  const row = page.locator(`tr[data-order="${id}"]`);
  await expect(row).toHaveAttribute('data-case', 'order_pending_or_failed_payment_succeeded');
  await expect(row).toContainText('Missed webhook');
  await page.getByRole('button', { name: "Sync from the gateway's events" }).click();
  await expect(page.getByTestId('sync-result')).toContainText('repaired');
  await expect(page.locator(`tr[data-order="${id}"]`)).toHaveAttribute(
    'data-case',
    'both_succeeded',
  );
  expect((await orderState(page, id)).order.status).toBe('PAID');
});

test('an order left unpaid expires with its payment', async ({ page }) => {
  test.setTimeout(120_000);
  const id = await placeOrder(page);
  await expect(status(page)).toHaveAttribute('data-status', 'EXPIRED', { timeout: 100_000 });
  expect((await orderState(page, id)).intent?.status).toBe('expired');
});

test('each browser has its own cart and orders; an item can be removed', async ({
  page,
  browser,
}) => {
  await page.goto(shop());
  await page.getByRole('button', { name: 'Add Masala chai to cart' }).click();
  await page.goto(shop());
  await page.getByRole('button', { name: 'Add Samosa box to cart' }).click();
  await expect(page.getByTestId('cart-line')).toHaveCount(2);
  await expect(page.getByTestId('cart-count')).toHaveText('2');

  // Another shopper, in another browser, sees an empty cart and cannot open our order.
  const other = await browser.newContext();
  const theirs = await other.newPage();
  await theirs.goto(`${shop()}/cart`);
  await expect(theirs.getByText('Your cart is empty.')).toBeVisible();
  await expect(theirs.getByTestId('cart-count')).toHaveText('0');

  await page.getByRole('button', { name: 'Remove Samosa box' }).click();
  await expect(page.getByTestId('cart-line')).toHaveCount(1);
  await expect(page.getByTestId('cart-total')).toHaveText('₹120.00');
  await page.getByRole('button', { name: 'Place order' }).click();
  const id = (await status(page).getAttribute('data-order')) as string;
  expect((await theirs.goto(`${shop()}/orders/${id}`))?.status()).toBe(404);
  await theirs.goto(`${shop()}/orders`);
  await expect(theirs.getByText('No orders yet.')).toBeVisible();
  await other.close();
});

test('at 390 px wide nothing overflows: shop, cart, order and orders', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const id = await placeOrder(page);
  for (const path of ['/', '/cart', `/orders/${id}`, '/orders', '/wallet']) {
    await page.goto(`${shop()}${path}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide, `${path} is ${wide} px wide`).toBeLessThanOrEqual(390);
  }
});

test("a part refund in the merchant's dashboard shows in the payment's timeline and reaches the shop", async ({
  page,
  browser,
}) => {
  const id = await placeOrder(page);
  await payWithCard(page, '4242 4242 4242 4242');
  await expect(status(page)).toHaveAttribute('data-status', 'PAID');

  // The merchant, in another browser: signs in, finds the payment by the order id.
  const merchant = await (await browser.newContext()).newPage();
  await merchant.goto(`${gateway()}/dashboard`);
  await merchant.getByLabel('Email').fill('owner@chai.test');
  await merchant.getByLabel('Password').fill(process.env.E2E_DASHBOARD_PASSWORD as string);
  await merchant.getByRole('button', { name: 'Sign in' }).click();
  await merchant.getByRole('link', { name: 'Payments' }).click();
  await merchant.getByLabel('Payment id, order id or processor reference').fill(id);
  await merchant.getByRole('button', { name: 'Search' }).click();
  // The search's one row (not a row of the list shown before the search answered).
  const found = merchant.getByTestId('payments').getByRole('row').filter({ hasText: id });
  await expect(merchant.getByTestId('payments').getByRole('row')).toHaveCount(2);
  await found.getByRole('link', { name: '₹120.00' }).click();
  await expect(merchant.getByRole('heading', { name: /₹120\.00/ })).toBeVisible();
  await merchant.getByRole('button', { name: 'Refund' }).click();
  const dialog = merchant.getByRole('dialog', { name: 'Refund' });
  // Not an amount: said plainly, and nothing is asked or sent.
  await dialog.getByLabel(/Amount to refund/).fill('abc');
  await expect(dialog.getByTestId('refund-question')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(
    'Enter the amount as a number, such as 12.50.',
  );
  await dialog.getByLabel(/Amount to refund/).fill('500');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('At most ₹120.00 is left to refund.');
  await dialog.getByLabel(/Amount to refund/).fill('50');
  await expect(dialog.getByTestId('refund-question')).toHaveText(
    'Refund ₹50.00? The money goes back to the customer.',
  );
  await dialog.getByLabel('Reason (optional)').selectOption('requested_by_customer');
  await dialog.getByRole('button', { name: 'Confirm' }).dblclick();
  await expect(merchant.getByRole('status')).toContainText('Refunded ₹50.00.');
  await expect(merchant.getByTestId('refunded')).toHaveText('₹50.00');
  // Given back in part: the payment no longer reads as plainly succeeded.
  await expect(merchant.getByTestId('payment-status')).toHaveText('Partially refunded');
  await expect(merchant.getByTestId('refunds')).toContainText('₹50.00');
  await expect(merchant.getByTestId('timeline')).toContainText('refund.succeeded');

  // The shop heard it from the webhook: its order shows the money given back, once.
  await expect
    .poll(async () => (await orderState(page, id)).intent?.amount_refunded ?? 0)
    .toBe(5000);
  await expect(async () => {
    await page.goto(`${shop()}/orders/${id}`);
    await expect(page.getByTestId('order-refunded')).toHaveText('₹50.00', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  // The delivery to the shop is in the timeline, with its status and latency.
  await merchant.reload();
  await expect(
    merchant.getByTestId('timeline').locator('[data-delivery="delivered"]').first(),
  ).toBeVisible();
  await merchant.context().close();
});
