import { expect, type Page, test } from '@playwright/test';
import { hosted, openShop, pay, payCard, serverIntent, waitForResult } from './helpers.ts';

// UPI in the shopper's own app: a QR code to scan on a computer, a list of UPI apps on a
// phone; the sandbox's test UPI app stands in for the shopper's phone.

test.beforeEach(async ({ page }) => {
  await openShop(page);
});

/** Chooses UPI and the shopper's own app; answers the upi://pay link shown. */
async function startApp(page: Page, button: string) {
  const frame = hosted(page);
  await frame.getByRole('radio', { name: 'UPI' }).click();
  await frame.getByRole('button', { name: button }).click();
}

/** Approves or declines the payment in the sandbox's test UPI app (a new tab). */
async function answerInTestApp(page: Page, answer: 'Pay' | 'Decline') {
  const [app] = await Promise.all([
    page.context().waitForEvent('page'),
    hosted(page).getByRole('link', { name: 'Test mode: open the test UPI app' }).click(),
  ]);
  await expect(app.getByRole('heading', { name: 'Test UPI app' })).toBeVisible();
  await expect(app.getByText('₹25.00')).toBeVisible();
  await app.getByRole('button', { name: answer }).click();
  await expect(app.getByText('You can close this window.')).toBeVisible();
  await app.close();
}

test.describe('on a computer', () => {
  test('shows a QR code of the upi://pay link with a countdown; paid in the app, the page shows success', async ({
    page,
  }) => {
    const pi = await pay(page);
    await startApp(page, 'Show QR code');
    const frame = hosted(page);
    const qr = frame.getByRole('img', { name: 'QR code for UPI payment' });
    await expect(qr).toBeVisible();
    await expect(frame.getByText('Scan with any UPI app to pay ₹25.00')).toBeVisible();
    await expect(frame.getByTestId('countdown')).toHaveText(
      /This payment request expires in [45]:\d\d\./,
    );
    const link = new URL((await qr.getAttribute('data-link')) as string);
    expect(link.protocol).toBe('upi:');
    expect(link.searchParams.get('am')).toBe('25.00');
    expect(link.searchParams.get('cu')).toBe('INR');
    expect(link.searchParams.get('tr')).toMatch(/^sbx_/);
    // A real QR code: square, with many dark modules.
    const box = await qr.boundingBox();
    expect(box && Math.round(box.width)).toBe(box && Math.round(box.height));
    expect(
      ((await qr.locator('path').getAttribute('d')) as string).split('M').length,
    ).toBeGreaterThan(200);
    // "I've paid" before paying: not yet.
    await frame.getByRole('button', { name: "I've paid" }).click();
    await expect(frame.getByRole('alert')).toContainText('Not confirmed yet');

    await answerInTestApp(page, 'Pay');
    await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
    await waitForResult(page, 'success');
    expect(await serverIntent(page, pi.id)).toMatchObject({
      status: 'succeeded',
      amount_received: 2500,
    });
  });

  test('a decline in the app is explained and the shopper pays again; or they leave the QR code for a card', async ({
    page,
  }) => {
    const pi = await pay(page, {}, { autoClose: false });
    await startApp(page, 'Show QR code');
    const frame = hosted(page);
    await expect(frame.getByRole('img', { name: 'QR code for UPI payment' })).toBeVisible();
    await answerInTestApp(page, 'Decline');
    await expect(frame.getByTestId('decline')).toContainText(
      'The payment was declined in the UPI app.',
    );
    // Again, and this time leave it for a card: leaving uses up no attempt.
    await startApp(page, 'Show QR code');
    await expect(frame.getByRole('img', { name: 'QR code for UPI payment' })).toBeVisible();
    await frame.getByRole('button', { name: 'Change payment method' }).click();
    await frame.getByRole('radio', { name: 'Card' }).click();
    await payCard(page, '4242 4242 4242 4242');
    await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
    expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
  });
});

const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

test.describe('on an Android phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, userAgent: ANDROID, hasTouch: true });

  test('lists UPI apps that open with the payment filled in, and no QR code', async ({ page }) => {
    await pay(page);
    await startApp(page, 'Choose a UPI app');
    const frame = hosted(page);
    const apps = frame.getByTestId('upi-apps').getByRole('link');
    await expect(apps).toHaveText(['Google Pay', 'PhonePe', 'Paytm', 'BHIM', 'Other UPI app']);
    await expect(frame.getByRole('img', { name: 'QR code for UPI payment' })).toHaveCount(0);
    const other = new URL((await apps.nth(4).getAttribute('href')) as string);
    expect(other.protocol).toBe('upi:');
    expect(other.searchParams.get('am')).toBe('25.00');
    const gpay = (await apps.nth(0).getAttribute('href')) as string;
    expect(gpay).toBe(
      `intent://pay${other.search}#Intent;scheme=upi;package=com.google.android.apps.nbu.paisa.user;end`,
    );
    // The list fits the phone's width.
    const width = await apps.nth(0).evaluate((a) => a.getBoundingClientRect().right);
    expect(width).toBeLessThanOrEqual(390);
  });
});

test.describe('on an iPhone', () => {
  test.use({ viewport: { width: 390, height: 844 }, userAgent: IPHONE, hasTouch: true });

  test('opens each app by its own scheme; BHIM has none and is left out', async ({ page }) => {
    await pay(page);
    await startApp(page, 'Choose a UPI app');
    const apps = hosted(page).getByTestId('upi-apps').getByRole('link');
    await expect(apps).toHaveText(['Google Pay', 'PhonePe', 'Paytm', 'Other UPI app']);
    expect(await apps.nth(1).getAttribute('href')).toMatch(/^phonepe:\/\/pay\?pa=sandbox%40kassa&/);
  });
});
