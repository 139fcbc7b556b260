import { expect, type Page, test } from '@playwright/test';
import { env, hosted, openShop, pay, serverIntent, waitForResult } from './helpers.ts';

test.beforeEach(async ({ page }) => {
  await openShop(page);
});

/** Chooses the KassaPay app in the modal and opens it: the app's tab. */
async function openApp(page: Page) {
  const frame = hosted(page);
  await frame.getByRole('radio', { name: 'KassaPay app' }).click();
  await frame.getByRole('button', { name: /^Pay / }).click();
  const [app] = await Promise.all([
    page.context().waitForEvent('page'),
    frame.getByRole('link', { name: 'Open KassaPay' }).click(),
  ]);
  await expect(app.getByRole('heading', { name: 'Pay ₹25.00?' })).toBeVisible();
  return app;
}

const redirectIntent = { payment_method_types: ['card', 'upi', 'redirect'] };

test('the external app: approve there, and the modal shows the success', async ({ page }) => {
  const pi = await pay(page, redirectIntent);
  const app = await openApp(page);
  await app.getByRole('button', { name: 'Approve payment' }).click();
  await expect(app.getByRole('heading', { name: 'Payment approved' })).toBeVisible();
  await expect(hosted(page).getByRole('heading', { name: 'Payment successful' })).toBeVisible();
  expect((await waitForResult(page, 'success')).payment_intent_id).toBe(pi.id);
});

test('the external app: decline there, and the modal says so and offers a retry', async ({
  page,
}) => {
  const pi = await pay(page, redirectIntent);
  const app = await openApp(page);
  await app.getByRole('button', { name: 'Decline' }).click();
  await expect(hosted(page).getByTestId('decline')).toContainText('declined in the payment app');
  expect((await serverIntent(page, pi.id)).status).toBe('requires_payment_method');
});

test('closing the app tab instead of returning to the shop still ends the payment in the modal', async ({
  page,
}) => {
  const pi = await pay(page, redirectIntent);
  const app = await openApp(page);
  await app.getByRole('button', { name: 'Approve payment' }).click();
  // The shopper closes the app instead of following its link back. Closed only once the
  // app's page has committed: Chromium drops a close that races a navigation commit and
  // page.close() then never returns (crbug.com/536385539, microsoft/playwright#42366).
  await expect(app.getByRole('heading', { name: 'Payment approved' })).toBeVisible();
  await app.close();
  await expect.poll(async () => (await serverIntent(page, pi.id)).status).toBe('succeeded');
  await waitForResult(page, 'success');
});

test('on a full page the app sends the shopper back to the payment page, which shows the result', async ({
  page,
}) => {
  const pi = await page.evaluate((o) => window.createIntent(o), redirectIntent);
  await page.goto(`${env().gateway}/pay/${pi.id}#${pi.client_secret}`);
  await page.getByRole('radio', { name: 'KassaPay app' }).click();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('link', { name: 'Open KassaPay' }).click();
  await page.getByRole('button', { name: 'Approve payment' }).click();
  await page.getByRole('link', { name: 'Return to the shop' }).click();
  await expect(page.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
  expect(new URL(page.url()).hash).toBe('');
});
