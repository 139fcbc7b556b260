import { expect, type Page, test } from '@playwright/test';
import { env, hosted, openShop, waitForResult } from './helpers.ts';

/*
 * Razorpay, through a merchant who connected a Razorpay account (test mode, at the fake
 * Razorpay): UPI by QR code on a computer and by app links on a phone, with Razorpay's own
 * upi:// link, and a card in Razorpay's Standard Checkout. The page's real loading path
 * runs: it fetches https://checkout.razorpay.com/v1/checkout.js (our fake), which talks to
 * https://api.razorpay.com (the fake Razorpay API). The merchant has not turned UPI collect
 * on, so the page offers no UPI ID field (NPCI's default since 2026).
 */

interface TestWindow {
  payWithRazorpay(intent: unknown, open: unknown): Promise<{ id: string; client_secret: string }>;
  __fakeRazorpay: { options: { key: string; order_id: string }[]; opened: number };
}

const merchant = () => env().merchant;

async function fakeRazorpay(page: Page) {
  const context = page.context();
  await context.route('https://checkout.razorpay.com/**', async (route) => {
    const res = await route.fetch({ url: `${merchant()}/fake-razorpay-checkout.js` });
    await route.fulfill({ response: res });
  });
  await context.route('https://api.razorpay.com/**', async (route) => {
    const url = route
      .request()
      .url()
      .replace('https://api.razorpay.com', process.env.E2E_FAKE_RAZORPAY_URL as string);
    await route.fulfill({ response: await route.fetch({ url }) });
  });
}

async function open(page: Page, intent: Record<string, unknown> = {}) {
  // Razorpay's script and API are faked in every test: the card tab loads Checkout too.
  await fakeRazorpay(page);
  await openShop(page);
  const pi = await page.evaluate(
    (i) => (window as unknown as TestWindow).payWithRazorpay(i, {}),
    intent,
  );
  await expect(hosted(page).locator('[data-testid="amount"]')).toBeVisible();
  return pi;
}

const serverIntent = async (page: Page, id: string) =>
  (await (await page.request.get(`${merchant()}/api/razorpay-intents/${id}`)).json()) as {
    status: string;
    amount_received: number;
  };

/** The shopper answers in their UPI app: the fake Razorpay's UPI payment for this link. */
const answerInApp = (page: Page, link: string, approve = true) =>
  page.request.post(`${merchant()}/fake-razorpay/upi`, { data: { link, approve } });

test.describe('UPI through Razorpay on a computer', () => {
  test('shows Razorpay’s upi:// link as a QR code, offers no UPI ID field; paid in the app, the page shows success', async ({
    page,
  }) => {
    const pi = await open(page);
    const frame = hosted(page);
    await frame.getByRole('radio', { name: 'UPI' }).click();
    await expect(frame.getByLabel('UPI ID')).toHaveCount(0);
    await frame.getByRole('button', { name: 'Show QR code' }).click();
    const qr = frame.getByRole('img', { name: 'QR code for UPI payment' });
    await expect(qr).toBeVisible();
    await expect(frame.getByTestId('countdown')).toBeVisible();
    const link = (await qr.getAttribute('data-link')) as string;
    // Razorpay's link, as Razorpay answered it: its payee, its payment id as `tr`.
    expect(link).toMatch(/^upi:\/\/pay\?pa=razorpay\.fake@icici&pn=Razorpay&tr=pay_\w{14}&/);
    expect(new URL(link).searchParams.get('am')).toBe('499.00');
    // No test page stands in for the app here: Razorpay's payment waits for the shopper.
    await expect(frame.getByRole('link', { name: /test UPI app/ })).toHaveCount(0);
    expect((await answerInApp(page, link)).status()).toBe(200);
    await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
    await waitForResult(page, 'success');
    expect(await serverIntent(page, pi.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 49_900,
    });
  });

  test('a decline in the app is explained, and the shopper can pay again', async ({ page }) => {
    const pi = await open(page);
    const frame = hosted(page);
    await frame.getByRole('radio', { name: 'UPI' }).click();
    await frame.getByRole('button', { name: 'Show QR code' }).click();
    const qr = frame.getByRole('img', { name: 'QR code for UPI payment' });
    const first = (await qr.getAttribute('data-link')) as string;
    await answerInApp(page, first, false);
    await expect(frame.getByTestId('decline')).toContainText('declined in the UPI app');
    await frame.getByRole('button', { name: 'Show QR code' }).click();
    await expect(qr).toBeVisible();
    const second = (await qr.getAttribute('data-link')) as string;
    expect(second).not.toBe(first);
    await answerInApp(page, second);
    await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
    expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
  });
});

const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

test.describe('UPI through Razorpay on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, userAgent: ANDROID, hasTouch: true });

  test('lists UPI apps that open Razorpay’s link with its query unmodified', async ({ page }) => {
    const pi = await open(page);
    const frame = hosted(page);
    await frame.getByRole('radio', { name: 'UPI' }).click();
    await frame.getByRole('button', { name: 'Choose a UPI app' }).click();
    const apps = frame.getByTestId('upi-apps').getByRole('link');
    await expect(apps).toHaveText(['Google Pay', 'PhonePe', 'Paytm', 'BHIM', 'Other UPI app']);
    const other = (await apps.nth(4).getAttribute('href')) as string;
    expect(other).toMatch(/^upi:\/\/pay\?pa=razorpay\.fake@icici&/);
    const query = other.slice(other.indexOf('?'));
    expect(await apps.nth(0).getAttribute('href')).toBe(
      `intent://pay${query}#Intent;scheme=upi;package=com.google.android.apps.nbu.paisa.user;end`,
    );
    await answerInApp(page, other);
    await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
    expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
  });
});

test.describe('a card in Razorpay’s Checkout', () => {
  test('a decline is worded on the page; the next try pays, and the card never reaches Kassa', async ({
    page,
  }) => {
    const toGateway: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(env().gateway)) toGateway.push(`${r.url()} ${r.postData() ?? ''}`);
    });
    const pi = await open(page, { payment_method_types: ['card'] });
    const frame = hosted(page);
    await expect(frame.getByTestId('razorpay-fields')).toBeVisible();
    await expect(frame.getByText('Your card details go straight to Razorpay')).toBeVisible();
    await frame.getByRole('button', { name: /^Pay / }).click();
    const checkout = frame.getByRole('dialog', { name: 'Razorpay Checkout (test)' });
    await checkout.getByLabel('Card number').fill('4000000000009995');
    await checkout.getByRole('button', { name: 'Pay with Razorpay' }).click();
    await expect(checkout.getByRole('alert')).toContainText('insufficient balance');
    await checkout.getByRole('button', { name: 'Close Checkout' }).click();
    await expect(frame.getByTestId('decline')).toContainText('insufficient funds');
    // Another try: a new Razorpay order, paid.
    await frame.getByRole('button', { name: /^Pay / }).click();
    await checkout.getByLabel('Card number').fill('4111 1111 1111 1111');
    await checkout.getByRole('button', { name: 'Pay with Razorpay' }).click();
    await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
    await waitForResult(page, 'success');
    expect(await serverIntent(page, pi.id)).toMatchObject({ status: 'succeeded' });
    const opened = await frame
      .locator('body')
      .evaluate(() => (window as unknown as TestWindow).__fakeRazorpay.options);
    expect(opened).toHaveLength(2);
    expect(opened[0]?.key).toBe('rzp_test_e2e');
    expect(opened[0]?.order_id).not.toBe(opened[1]?.order_id);
    // The card went to Razorpay only.
    expect(toGateway.some((line) => line.includes('4111'))).toBe(false);
    const gatewaySaw = await page.request.get(`${merchant()}/gateway-saw?needle=4111111111111111`);
    expect((await gatewaySaw.json()).seen).toBe(false);
  });
});
