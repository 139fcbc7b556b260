import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { env } from './helpers.ts';

// The merchant dashboard at /dashboard, as the example shop's owner and viewer use it.

const gateway = () => env().gateway;
const password = () => process.env.E2E_DASHBOARD_PASSWORD as string;
const sk = () => process.env.E2E_SHOP_SECRET_KEY as string;

/** A payment of the shop's, paid with 4242 through the API. */
async function paidPayment(page: Page, amount = 4200) {
  const order = `DASH_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const created = await page.request.post(`${gateway()}/v1/payment_intents`, {
    headers: { authorization: `Bearer ${sk()}` },
    data: { amount, currency: 'inr', order_id: order },
  });
  const pi = (await created.json()) as { id: string; client_secret: string };
  const paid = await page.request.post(`${gateway()}/v1/client/payment_intents/${pi.id}/confirm`, {
    data: {
      client_secret: pi.client_secret,
      payment_method: {
        type: 'card',
        card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
      },
    },
  });
  expect(((await paid.json()) as { status: string }).status).toBe('succeeded');
  return { id: pi.id, order };
}

async function signIn(page: Page, email: string) {
  await page.goto(`${gateway()}/dashboard`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
}

async function keep(page: Page, info: TestInfo, name: string) {
  await info.attach(name, {
    body: await page.screenshot({ fullPage: true }),
    contentType: 'image/png',
  });
}

test('signs in with the keyboard alone, and a wrong password is said plainly', async ({ page }) => {
  await page.goto(`${gateway()}/dashboard`);
  await expect(page.getByLabel('Email')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type('owner@chai.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('That email and password do not match.');
  await page.getByLabel('Password').fill(password());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(page.getByText('owner@chai.test')).toBeVisible();
  // The session cookie: HttpOnly, SameSite=Strict, only for /dashboard.
  const cookie = (await page.context().cookies()).find((c) => c.name === 'kassa_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
  expect(await page.evaluate(() => document.cookie)).not.toContain('kassa_session');
});

test('a viewer sees a payment but is offered no refund, and the API refuses one', async ({
  page,
}) => {
  const { id } = await paidPayment(page);
  await signIn(page, 'viewer@chai.test');
  await page.goto(`${gateway()}/dashboard/payments/${id}`);
  await expect(page.getByRole('heading', { name: /₹42\.00/ })).toBeVisible();
  await expect(page.getByText('You can view payments; an owner can refund')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refund' })).toHaveCount(0);
  // Even straight to the API, with the session's CSRF token.
  const session = await (await page.request.get(`${gateway()}/dashboard/api/session`)).json();
  const refused = await page.request.post(`${gateway()}/dashboard/api/payments/${id}/refunds`, {
    headers: { 'x-csrf-token': session.csrf_token, origin: new URL(gateway()).origin },
    data: { amount: 100 },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe('forbidden');
});

test('a page on another site cannot refund with the signed-in session (CSRF)', async ({ page }) => {
  const { id } = await paidPayment(page);
  await signIn(page, 'owner@chai.test');
  // The attacker's page: a cross-site form post and a fetch with credentials.
  await page.goto(env().merchant);
  const status = await page.evaluate(
    async ([url]) => {
      const res = await fetch(url as string, {
        method: 'POST',
        credentials: 'include',
        mode: 'no-cors',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ amount: 100 }),
      });
      return res.type;
    },
    [`${gateway()}/dashboard/api/payments/${id}/refunds`],
  );
  expect(status).toBe('opaque');
  // With the cookie but without the page's token, or from another origin: refused.
  const noToken = await page.request.post(`${gateway()}/dashboard/api/payments/${id}/refunds`, {
    headers: { origin: new URL(gateway()).origin },
    data: { amount: 100 },
  });
  expect(noToken.status()).toBe(403);
  const session = await (await page.request.get(`${gateway()}/dashboard/api/session`)).json();
  const otherOrigin = await page.request.post(`${gateway()}/dashboard/api/payments/${id}/refunds`, {
    headers: { 'x-csrf-token': session.csrf_token, origin: env().merchant },
    data: { amount: 100 },
  });
  expect(otherOrigin.status()).toBe(403);
  const intent = await page.request.get(`${gateway()}/v1/payment_intents/${id}`, {
    headers: { authorization: `Bearer ${sk()}` },
  });
  expect(((await intent.json()) as { amount_refunded: number }).amount_refunded).toBe(0);
});

test('a session id planted before sign-in is never the signed-in one (fixation)', async ({
  page,
}) => {
  const planted = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  await page
    .context()
    .addCookies([{ name: 'kassa_session', value: planted, url: `${gateway()}/dashboard/` }]);
  await signIn(page, 'owner@chai.test');
  // Signed in under a new id; the planted one (still in the jar, for its own path) opens
  // nothing, and does not get in the way.
  const ours = (await page.context().cookies()).filter(
    (c) => c.name === 'kassa_session' && c.path === '/dashboard',
  );
  expect(ours).toHaveLength(1);
  expect(ours[0]?.value).not.toBe(planted);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  const probe = await page.request.get(`${gateway()}/dashboard/api/session`, {
    headers: { cookie: `kassa_session=${planted}` },
  });
  expect(probe.status()).toBe(401);
});

test('sign out everywhere ends the other browsers too', async ({ page, browser }) => {
  await signIn(page, 'owner@chai.test');
  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'owner@chai.test');
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await other.reload();
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await other.context().close();
});

test('the payments list filters by status and pages; a payment has its attempts and timeline', async ({
  page,
}, info) => {
  const { id, order } = await paidPayment(page, 4300);
  await signIn(page, 'owner@chai.test');
  await page.getByLabel('Status').selectOption('succeeded');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/status=succeeded/);
  const rows = page.getByTestId('payments').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const pill of await rows.locator('.pill').allTextContents()) expect(pill).toBe('Succeeded');
  await keep(page, info, 'dashboard-payments');
  await page.getByLabel('Payment id, order id or processor reference').fill(order);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(rows).toHaveCount(1);
  await rows.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/payments/${id}$`));
  await expect(page.getByTestId('attempts')).toContainText('visa •••• 4242');
  await expect(page.getByTestId('timeline')).toContainText('payment_intent.succeeded');
  await keep(page, info, 'dashboard-payment');
  // Back goes back to the search.
  await page.goBack();
  await expect(page).toHaveURL(/q=DASH_/);
});

test('axe finds no serious or critical violation on sign-in, the list and a payment', async ({
  page,
}) => {
  const { id } = await paidPayment(page);
  const scan = async () => {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  };
  await page.goto(`${gateway()}/dashboard`);
  await expect(page.getByLabel('Email')).toBeVisible();
  await scan();
  await signIn(page, 'owner@chai.test');
  await scan();
  await page.goto(`${gateway()}/dashboard/payments/${id}`);
  await expect(page.getByRole('heading', { name: /₹42\.00/ })).toBeVisible();
  await scan();
  await page.getByRole('button', { name: 'Refund' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await scan();
});

test('usable at 390 px: nothing runs off the side, in English and Hindi', async ({
  page,
}, info) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const { id } = await paidPayment(page);
  await signIn(page, 'owner@chai.test');
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth);
  expect(await wide()).toBeLessThanOrEqual(390);
  await page.goto(`${gateway()}/dashboard/payments/${id}`);
  await expect(page.getByTestId('timeline')).toBeVisible();
  expect(await wide()).toBeLessThanOrEqual(390);
  await page.getByLabel('Language').first().selectOption('hi');
  await expect(page.getByRole('heading', { name: /₹42\.00/ })).toContainText('सफल');
  await expect(page.getByRole('button', { name: 'रिफ़ंड' })).toBeVisible();
  expect(await wide()).toBeLessThanOrEqual(390);
  await keep(page, info, 'dashboard-payment-hi-390');
  await page.getByLabel('भाषा').first().selectOption('en');
});
