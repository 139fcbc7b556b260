import { expect, type Page, test } from '@playwright/test';
import {
  hosted,
  jobsToRun,
  openShop,
  pay,
  payCard,
  results,
  serverIntent,
  waitForResult,
} from './helpers.ts';

// The shopper is never trapped: at every step of 3-D Secure or a UPI request they can
// leave, close (after being asked once) and come back, or pay another way.

test.beforeEach(async ({ page }) => {
  await openShop(page);
});

const THREE_DS = '4000 0027 6000 3184';
const challenge = (page: Page) =>
  hosted(page).getByRole('heading', { name: 'Confirm this payment with your bank' });

async function startUpi(page: Page, vpa: string) {
  const frame = hosted(page);
  await frame.getByRole('radio', { name: 'UPI' }).click();
  await frame.getByLabel('UPI ID').fill(vpa);
  await frame.getByRole('button', { name: /^Pay / }).click();
  await expect(
    frame.getByText(`We sent a payment request to ${vpa}. Approve it in your UPI app.`),
  ).toBeVisible();
}

test('leaves 3-D Secure for another card, with no attempt used up, and pays once', async ({
  page,
}) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await payCard(page, THREE_DS);
  await expect(challenge(page)).toBeVisible();
  await frame.getByRole('button', { name: 'Use another card or method' }).click();
  await expect(frame.getByLabel('Card number')).toBeVisible();
  // Nothing was declined: no red box, and the challenge is gone; a note says why the form
  // is empty and that nothing was charged.
  await expect(frame.getByTestId('decline')).toHaveCount(0);
  await expect(frame.getByTestId('left-note')).toContainText('nothing was charged');
  await expect(challenge(page)).toHaveCount(0);
  expect((await serverIntent(page, pi.id)).status).toBe('requires_payment_method');
  await payCard(page, '4242 4242 4242 4242');
  await waitForResult(page, 'success');
  const paid = await serverIntent(page, pi.id);
  expect(paid).toMatchObject({ status: 'succeeded', amount_received: 2500 });
});

test('closing during 3-D Secure asks once; reopened, the shopper can start over', async ({
  page,
}) => {
  const pi = await pay(page, {}, { autoClose: false });
  const frame = hosted(page);
  await payCard(page, THREE_DS);
  await expect(challenge(page)).toBeVisible();
  // The × is never dead: it asks, and "Keep waiting" goes back to the challenge.
  await frame.getByRole('button', { name: 'Close' }).first().click();
  await expect(frame.getByRole('alertdialog')).toContainText(
    'Your payment is still being confirmed',
  );
  // The question has the focus (given by script: autofocus is refused in a cross-origin
  // frame, with a console error).
  await expect(frame.getByRole('button', { name: 'Keep waiting' })).toBeFocused();
  await frame.getByRole('button', { name: 'Keep waiting' }).click();
  await expect(challenge(page)).toBeVisible();
  // Escape asks too, and a second Escape closes.
  await frame.getByRole('heading', { name: 'Confirm this payment with your bank' }).click();
  await page.keyboard.press('Escape');
  await expect(frame.getByRole('alertdialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.locator('dialog.kassa')).toHaveCount(0);
  expect((await results(page)).map((r) => r.type)).toEqual(['close']);

  // Reopened: where the payment stands, and a way out of it.
  await page.evaluate((secret) => {
    window.handle = window.Kassa.open({ clientSecret: secret, autoClose: false });
  }, pi.client_secret);
  await expect(challenge(page)).toBeVisible();
  // A click outside asks as well, through the page.
  await page.mouse.click(5, 5);
  await expect(frame.getByRole('alertdialog')).toBeVisible();
  await frame.getByRole('button', { name: 'Keep waiting' }).click();
  await frame.getByRole('button', { name: 'Use another card or method' }).click();
  await payCard(page, '4242 4242 4242 4242');
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('leaves an unanswered UPI request mid-countdown and pays by card instead', async ({
  page,
}) => {
  const pi = await pay(page);
  const frame = hosted(page);
  // pending@kassa: a request the shopper never answers in their app.
  await startUpi(page, 'pending@kassa');
  await expect(frame.getByTestId('countdown')).toContainText(
    /The request in your UPI app expires in 4:\d\d\./,
  );
  await frame.getByRole('button', { name: 'Change payment method' }).click();
  await expect(frame.getByRole('radio', { name: 'Card' })).toBeVisible();
  await frame.getByRole('radio', { name: 'Card' }).click();
  await payCard(page, '4242 4242 4242 4242');
  await waitForResult(page, 'success');
  // Once the request the shopper left has been withdrawn in the UPI app (the worker's
  // close job ran), it can no longer be paid: one payment.
  await expect.poll(() => jobsToRun(page, 'attempt.close_session'), { timeout: 15_000 }).toBe(0);
  expect(await serverIntent(page, pi.id)).toMatchObject({
    status: 'succeeded',
    amount_received: 2500,
  });
  expect((await results(page)).filter((r) => r.type === 'success')).toHaveLength(1);
});

test("UPI: “I've paid” looks at once and says when it is not confirmed yet", async ({ page }) => {
  await pay(page);
  const frame = hosted(page);
  await startUpi(page, 'pending@kassa');
  await frame.getByRole('button', { name: "I've paid" }).click();
  await expect(frame.getByText('Not confirmed yet.')).toBeVisible();
  // Still not stuck: another UPI ID pays.
  await frame.getByRole('button', { name: 'Change payment method' }).click();
  await startUpi(page, 'success@kassa');
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible({
    timeout: 10_000,
  });
});

test('a request the shopper left but approved in the app after all is recorded: the page shows it paid', async ({
  page,
}) => {
  const pi = await pay(page);
  const frame = hosted(page);
  // late@kassa: a collect request the processor cannot withdraw.
  await startUpi(page, 'late@kassa');
  await frame.getByRole('button', { name: 'Change payment method' }).click();
  await expect(frame.getByRole('radio', { name: 'Card' })).toBeVisible();
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible({
    timeout: 15_000,
  });
  const r = await waitForResult(page, 'success');
  expect(r.payment_intent_id).toBe(pi.id);
  expect(await serverIntent(page, pi.id)).toMatchObject({
    status: 'succeeded',
    amount_received: 2500,
  });
});

test('after a success the modal confirms amount, shop and reference, then closes itself', async ({
  page,
}) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await payCard(page, '4242 4242 4242 4242');
  const screen = frame.getByTestId('screen');
  await expect(screen).toContainText('₹25.00 paid to Chai & Co.');
  await expect(screen).toContainText(`Reference: ${pi.order_id}`);
  await expect(screen).toContainText('This window closes by itself.');
  await expect(page.locator('dialog.kassa')).toHaveCount(0, { timeout: 6_000 });
  // onSuccess once, and no onClose for a payment that succeeded.
  expect((await results(page)).map((r) => r.type)).toEqual(['success']);
  expect(await page.evaluate(() => window.handle.closed.then(() => 'closed'))).toBe('closed');
});

test('autoClose: false keeps the confirmation open until the merchant closes it', async ({
  page,
}) => {
  // The page's clock, moved on at will: checkout.js's own auto-close timer is on it.
  await page.clock.install();
  await pay(page, {}, { autoClose: false });
  const frame = hosted(page);
  await payCard(page, '4242 4242 4242 4242');
  await expect(frame.getByTestId('screen')).toContainText('You can close this window.');
  await waitForResult(page, 'success');
  await page.clock.fastForward(3_000); // longer than the default auto-close
  await expect(page.locator('dialog.kassa')).toHaveCount(1);
  await page.evaluate(() => window.handle.close());
  await expect(page.locator('dialog.kassa')).toHaveCount(0);
});
