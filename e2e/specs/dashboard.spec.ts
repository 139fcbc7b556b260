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
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
}

async function payments(page: Page) {
  await page.getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
}

/** A screenshot kept as a test artifact: test-results/<test>/<name>.png, and attached. */
async function keep(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
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
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
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
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  const probe = await page.request.get(`${gateway()}/dashboard/api/session`, {
    headers: { cookie: `kassa_session=${planted}` },
  });
  expect(probe.status()).toBe(401);
});

test('sign out everywhere ends the other browsers too', async ({ page, browser }) => {
  await signIn(page, 'leaving@chai.test');
  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'leaving@chai.test');
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
  await payments(page);
  await page.getByLabel('Status').selectOption('succeeded');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/status=succeeded/);
  const rows = page.getByTestId('payments').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  // Every row the filtered list shows (once it has replaced the unfiltered one) succeeded.
  await expect
    .poll(async () => [...new Set(await rows.locator('.pill').allTextContents())])
    .toEqual(['Succeeded']);
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

test('a generated password is for one sign-in: the dashboard asks for a new one first', async ({
  page,
  browser,
}) => {
  const generated = process.env.E2E_GENERATED_PASSWORD as string;
  await page.goto(`${gateway()}/dashboard/payments`);
  await page.getByLabel('Email').fill('new@chai.test');
  await page.getByLabel('Password').fill(generated);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Nothing else: no navigation, whatever the address asked for.
  await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Payments' })).toHaveCount(0);
  await expect(page.getByText('You signed in with a generated password.')).toBeVisible();
  const refused = await page.request.get(`${gateway()}/dashboard/api/payments`);
  expect(refused.status()).toBe(403);
  // A second browser with the same generated password: it was for one sign-in.
  const other = await browser.newPage();
  await other.goto(`${gateway()}/dashboard`);
  await other.getByLabel('Email').fill('new@chai.test');
  await other.getByLabel('Password').fill(generated);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('alert')).toHaveText(
    'That generated password was for one sign-in and has been used. Ask an owner for a new one.',
  );
  await other.close();

  await page.getByLabel('Current password', { exact: true }).fill(generated);
  await page.getByLabel('New password', { exact: true }).fill('my own long passphrase');
  await page.getByLabel('New password, again').fill('my own long passphrase!');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two new passwords differ.');
  await expect(page.getByLabel('New password, again')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('New password, again').fill('my own long passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('link', { name: 'Payments' })).toBeVisible();
  await expect(page.locator('p.notice')).toHaveText(
    'Password changed. Other sessions are signed out.',
  );
  await page.getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
});

test('the payments list filters by method and by an amount typed in rupees', async ({ page }) => {
  // An amount no other spec uses: ₹(500 + n).37.
  const amount = (500 + Math.floor(Math.random() * 9000)) * 100 + 37;
  const { id } = await paidPayment(page, amount);
  const rupees = (amount / 100).toFixed(2);
  await signIn(page, 'owner@chai.test');
  await payments(page);
  await page.getByLabel('Method').selectOption('card');
  await page.getByLabel('Amount from').fill(rupees);
  await page.getByLabel('Amount to').fill(rupees);
  await page.getByRole('button', { name: 'Search' }).click();
  // The address keeps the amounts as typed, with the currency they were read in.
  await expect(page).toHaveURL(new RegExp(`method=card.*currency=INR.*min=${rupees}`));
  const rows = page.getByTestId('payments').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.getByRole('link')).toHaveAttribute('href', `/dashboard/payments/${id}`);
  // Each row says how it was paid: the card's brand and last four.
  await expect(rows.getByTestId('payment-method')).toHaveText('visa •••• 4242');
  // UPI: the card payment is not among them.
  await page.getByLabel('Method').selectOption('upi');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/method=upi/);
  await expect(page.getByText('No payments match.')).toBeVisible();
  // An amount that is not one is said plainly, at its field, and nothing is fetched.
  await page.getByLabel('Amount from').fill('12.345');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('alert')).toHaveText('Check “Amount from”.');
  await expect(page.getByLabel('Amount from')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/method=upi/);
});

test('axe finds no serious or critical violation on sign-in, the list and a payment', async ({
  page,
}) => {
  // Seven whole-page scans: ~9-11 s of this machine's CPU beside the other specs, and
  // twice that on a slower one (a CI run on PostgreSQL ran out of 30 s, twice).
  test.setTimeout(90_000);
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
  await expect(page.getByTestId('chart').locator('canvas')).toBeVisible();
  await scan();
  await payments(page);
  await scan();
  await page.goto(`${gateway()}/dashboard/payments/${id}`);
  await expect(page.getByRole('heading', { name: /₹42\.00/ })).toBeVisible();
  await scan();
  await page.getByRole('button', { name: 'Refund' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await scan();
  await page.keyboard.press('Escape');
  await page.getByRole('link', { name: 'Change password' }).click();
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('Current password')).toBeFocused();
  await scan();
  await page.goto(`${gateway()}/dashboard/webhooks`);
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
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
  // The payments come first: the filters wait behind one button.
  await payments(page);
  await expect(page.getByLabel('Status')).toBeHidden();
  await expect(page.getByTestId('payments')).toBeInViewport();
  await keep(page, info, 'dashboard-payments-en-390');
  await page.getByRole('button', { name: 'Filters' }).click();
  await expect(page.getByLabel('Status')).toBeVisible();
  expect(await wide()).toBeLessThanOrEqual(390);
  await page.goto(`${gateway()}/dashboard/payments/${id}`);
  await expect(page.getByTestId('timeline')).toBeVisible();
  expect(await wide()).toBeLessThanOrEqual(390);
  await keep(page, info, 'dashboard-payment-en-390');
  await page.getByLabel('Language').first().selectOption('hi');
  await expect(page.getByRole('heading', { name: /₹42\.00/ })).toContainText('सफल');
  await expect(page.getByRole('button', { name: 'रिफ़ंड' })).toBeVisible();
  // Statuses, methods and webhook states in Hindi too, not left in English.
  await expect(page.getByTestId('attempts')).toContainText('सफल');
  await expect(page.getByTestId('attempts')).not.toContainText('succeeded');
  expect(await wide()).toBeLessThanOrEqual(390);
  await keep(page, info, 'dashboard-payment-hi-390');
  await page.getByLabel('भाषा').first().selectOption('en');
});

test("the overview's figures and chart come from the merchant's real payments", async ({
  page,
}, info) => {
  // A decline and two payments of this merchant, now.
  const declined = await page.request.post(`${gateway()}/v1/payment_intents`, {
    headers: { authorization: `Bearer ${sk()}` },
    data: { amount: 1000, currency: 'inr', order_id: `OV_${Date.now()}` },
  });
  const d = (await declined.json()) as { id: string; client_secret: string };
  await page.request.post(`${gateway()}/v1/client/payment_intents/${d.id}/confirm`, {
    data: {
      client_secret: d.client_secret,
      payment_method: {
        type: 'card',
        card: { number: '4000000000009995', exp_month: 12, exp_year: 2034, cvc: '123' },
      },
    },
  });
  await paidPayment(page, 1100);
  await paidPayment(page, 1200);
  // What the API says for the same range, to compare the page with.
  await signIn(page, 'owner@chai.test');
  const to = Math.floor(Date.now() / 1000) + 60;
  const api = (await (
    await page.request.get(`${gateway()}/dashboard/api/overview?from=${to - 7 * 86400}&to=${to}`)
  ).json()) as {
    totals: { count: number; volume: number };
    success_rate: number;
    attempts: number;
    declines: { key: string; count: number }[];
  };
  expect(api.totals.count).toBeGreaterThanOrEqual(3);
  expect(api.declines.some((x) => x.key === 'insufficient_funds')).toBe(true);
  await page.reload();
  await expect(page.getByTestId('total-count')).toHaveText(String(api.totals.count));
  const volume = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' }).format(
    api.totals.volume / 100,
  );
  await expect(page.getByTestId('total-volume')).toHaveText(volume);
  // The rate is of attempts (declines count; payments the shopper left do not), and says so
  // beside the payments count, which is of payments.
  await expect(page.getByTestId('success-rate')).toContainText(
    new Intl.NumberFormat('en-IN', { style: 'percent', maximumFractionDigits: 1 }).format(
      api.success_rate,
    ),
  );
  await expect(page.getByTestId('success-rate-base')).toHaveText(`of ${api.attempts} attempts`);
  await expect(
    page.getByTestId('declines').locator('[data-key="insufficient_funds"]'),
  ).toBeVisible();
  await expect(page.getByTestId('methods').locator('[data-key="card"]')).toBeVisible();
  // The chart is drawn: a canvas with painted pixels, and the same numbers as a table.
  const canvas = page.getByTestId('chart').locator('canvas');
  await expect(canvas).toBeVisible();
  const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
    return n;
  });
  expect(painted).toBeGreaterThan(500);
  await page.getByText('The same as a table').click();
  const counts = await page
    .getByTestId('series')
    .locator('tbody tr td:nth-child(3)')
    .allTextContents();
  expect(counts.reduce((n, c) => n + Number(c), 0)).toBe(api.totals.count);
  await keep(page, info, 'dashboard-overview');
  await page.getByLabel('Language').first().selectOption('hi');
  await expect(page.getByTestId('success-rate-base')).toHaveText(`${api.attempts} प्रयासों में से`);
  await keep(page, info, 'dashboard-overview-hi');
  await page.getByLabel('भाषा').first().selectOption('en');
});

test('webhooks: the delivery log, and a dead delivery replayed until delivered', async ({
  page,
}) => {
  // Up to six attempts over ~19 s (the e2e gateway's schedule) before a delivery is dead.
  test.setTimeout(90_000);
  const auth = { authorization: `Bearer ${sk()}` };
  const hook = `${env().merchant}/hook`;
  await page.request.post(`${hook}/mode`, { data: { up: false } });
  const endpoint = (await (
    await page.request.post(`${gateway()}/v1/webhook_endpoints`, {
      headers: auth,
      data: { url: hook, enabled_events: ['payment_intent.created'] },
    })
  ).json()) as { id: string };
  try {
    const created = await page.request.post(`${gateway()}/v1/payment_intents`, {
      headers: auth,
      data: { amount: 1500, currency: 'inr', order_id: `HOOK_${Date.now()}` },
    });
    const pi = (await created.json()) as { id: string };
    const events = await page.request.get(`${gateway()}/v1/events?object=${pi.id}`, {
      headers: auth,
    });
    const eventId = ((await events.json()) as { data: { id: string }[] }).data[0]?.id;
    const mine = async () => {
      const list = await page.request.get(
        `${gateway()}/v1/webhook_endpoints/${endpoint.id}/deliveries?limit=100`,
        { headers: auth },
      );
      return ((await list.json()) as { data: { event: string; status: string }[] }).data.find(
        (d) => d.event === eventId,
      )?.status;
    };
    await expect.poll(mine, { timeout: 40_000, intervals: [1000] }).toBe('dead');

    await signIn(page, 'owner@chai.test');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    // This spec's endpoint, by its exact URL (another spec adds one under /hook?…).
    await page
      .locator('.endpoints label')
      .filter({ has: page.getByText(hook, { exact: true }) })
      .getByRole('radio')
      .check();
    await page.getByLabel('Status').selectOption('dead');
    const rows = page.getByTestId('deliveries').locator('tbody tr');
    await expect(rows.first()).toHaveAttribute('data-status', 'dead');
    await expect(rows.first()).toContainText('payment_intent.created');
    await expect(rows.first()).toContainText('503');
    // Every attempt, with the start of what the endpoint answered.
    await rows.first().locator('summary').click();
    const attempts = rows.first().getByTestId('attempts').locator('li');
    await expect(attempts).not.toHaveCount(0);
    await expect(attempts.first()).toContainText('503');
    await expect(attempts.first().locator('pre')).toHaveText('down');

    await page.request.post(`${hook}/mode`, { data: { up: true } });
    await page.getByRole('button', { name: 'Replay dead deliveries' }).click();
    await expect(page.locator('p.notice')).toContainText(/dead deliver(y|ies) sent again/);
    await expect.poll(mine, { timeout: 15_000 }).toBe('delivered');
    await page.getByLabel('Status').selectOption('delivered');
    await expect(rows.first()).toHaveAttribute('data-status', 'delivered');
  } finally {
    await page.request.post(`${hook}/mode`, { data: { up: false } });
    await page.request.delete(`${gateway()}/v1/webhook_endpoints/${endpoint.id}`, {
      headers: auth,
    });
  }
});

test('developers: the publishable key, allowed origins, and a reconciliation CSV', async ({
  page,
}) => {
  await signIn(page, 'viewer@chai.test');
  await page.getByRole('link', { name: 'Developers' }).click();
  await expect(page.getByTestId('publishable-key')).toHaveText(/^pk_test_/);
  // A viewer reads the origins but cannot change them or roll a key.
  await expect(page.getByLabel('One origin per line')).toHaveValue(
    process.env.E2E_SHOP_URL as string,
  );
  await expect(page.getByRole('button', { name: 'Roll the secret key' })).toHaveCount(0);
  // Running reconciliation writes (missed successes, their webhooks): owners only.
  await expect(page.getByRole('button', { name: 'Run for this day' })).toHaveCount(0);
  await page.context().clearCookies();
  await signIn(page, 'owner@chai.test');
  await page.getByRole('link', { name: 'Developers' }).click();
  await page.getByRole('button', { name: 'Run for this day' }).click();
  const csv = page.getByTestId('runs').getByRole('link', { name: 'CSV' }).first();
  await expect(csv).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
  expect(download.suggestedFilename()).toMatch(/^kassa-reconciliation-\d{4}-\d\d-\d\d\.csv$/);
});

test('webhooks: an owner adds an endpoint, sees its secret, changes its events and disables it', async ({
  page,
}) => {
  const url = `${env().merchant}/hook?ui=${Date.now()}`;
  await signIn(page, 'owner@chai.test');
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.locator('summary', { hasText: 'Add an endpoint' }).click();
  const add = page.getByRole('form', { name: 'Add an endpoint' });
  await add.getByLabel('URL').fill(url);
  // Events no other spec causes, so its deliveries are nobody else's count.
  await add.getByLabel(/Events/).fill('dispute.*');
  await add.getByRole('button', { name: 'Add an endpoint' }).click();
  await expect(page.getByTestId('endpoint-secret')).toHaveText(/^whsec_/);
  const first = await page.getByTestId('endpoint-secret').textContent();
  const row = page
    .locator('.endpoints label')
    .filter({ has: page.getByText(url, { exact: true }) })
    .getByRole('radio');
  await expect(row).toBeChecked();
  await page.getByRole('button', { name: 'Rotate signing secret' }).click();
  await expect(page.getByTestId('endpoint-secret')).not.toHaveText(first as string);
  await page
    .getByRole('form', { name: /Events/ })
    .getByLabel(/Events/)
    .fill('dispute.closed');
  await page
    .getByRole('form', { name: /Events/ })
    .getByRole('button', { name: 'Save' })
    .click();
  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('button', { name: 'Enable' })).toBeVisible();
  // As the API sees it.
  const list = await page.request.get(`${gateway()}/v1/webhook_endpoints?limit=100`, {
    headers: { authorization: `Bearer ${sk()}` },
  });
  const mine = (
    (await list.json()) as {
      data: { id: string; url: string; status: string; enabled_events: string[] }[];
    }
  ).data.find((e) => e.url === url);
  expect(mine).toMatchObject({ status: 'disabled', enabled_events: ['dispute.closed'] });
  await page.request.delete(`${gateway()}/v1/webhook_endpoints/${mine?.id}`, {
    headers: { authorization: `Bearer ${sk()}` },
  });
});
