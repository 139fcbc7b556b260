import { expect, test } from '@playwright/test';
import {
  hosted,
  openShop,
  pay,
  payCard,
  results,
  serverIntent,
  verifySignature,
  waitForResult,
} from './helpers.ts';

test.beforeEach(async ({ page }) => {
  await openShop(page);
});

test('pays with 4242: onSuccess carries a signature the merchant verifies', async ({ page }) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await expect(frame.getByText('Chai & Co')).toBeVisible();
  await expect(frame.locator('[data-testid="amount"]')).toHaveText('₹25.00');
  await expect(frame.getByText('Masala chai x 5')).toBeVisible();
  await payCard(page, '4242 4242 4242 4242');
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
  const r = await waitForResult(page, 'success');
  expect(r).toMatchObject({ payment_intent_id: pi.id, order_id: pi.order_id, status: 'succeeded' });
  expect(await verifySignature(page, r)).toBe(true);
  expect(await verifySignature(page, { ...r, order_id: 'someone-else' })).toBe(false);
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('a declined card shows why, then another card pays', async ({ page }) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await payCard(page, '4000 0000 0000 0002');
  await expect(frame.getByTestId('decline')).toContainText('Your card was declined.');
  await expect(frame.getByTestId('decline')).toContainText('4 attempts left');
  await payCard(page, '5555 5555 5555 4444');
  await waitForResult(page, 'success');
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('out of attempts: the page says so and offers no card form or Pay, and tells the shop', async ({
  page,
}) => {
  await pay(page);
  const frame = hosted(page);
  for (let left = 4; left >= 1; left--) {
    await payCard(page, '4000 0000 0000 0002');
    await expect(frame.getByTestId('decline')).toContainText(`${left} attempt`);
  }
  await payCard(page, '4000 0000 0000 0002');
  await expect(frame.getByRole('alert')).toContainText('Too many attempts');
  await expect(frame.getByRole('button', { name: /^Pay / })).toHaveCount(0);
  await expect(frame.getByLabel('Card number')).toHaveCount(0);
  const r = await waitForResult(page, 'failure');
  expect(r).toMatchObject({ code: 'too_many_attempts' });
});

test('insufficient funds is said plainly', async ({ page }) => {
  await pay(page);
  await payCard(page, '4000 0000 0000 9995');
  await expect(hosted(page).getByTestId('decline')).toContainText(
    'Your card has insufficient funds.',
  );
  expect(await results(page)).toEqual([]);
});

test('the form checks the card before sending it, and says what is wrong', async ({ page }) => {
  await pay(page);
  const frame = hosted(page);
  // The networks taken, drawn inside the empty card number field.
  const marks = frame.getByTestId('brand-marks');
  await expect(marks).toHaveAttribute('data-shown', 'visa mastercard amex rupay');
  await expect(marks.locator('svg')).toHaveCount(4);
  await frame.getByLabel('Card number').fill('4242 4242 4242 4241');
  await frame.getByLabel('Expiry (MM/YY)').fill('01 / 20');
  await frame.getByRole('button', { name: /^Pay / }).click();
  await expect(frame.getByText('Enter a valid card number.')).toBeVisible();
  await expect(frame.getByText('This card has expired.')).toBeVisible();
  await expect(frame.getByLabel('Card number')).toHaveAttribute('aria-invalid', 'true');
  await expect(frame.getByLabel('Card number')).toBeFocused();
  // Grouping and brand detection as the shopper types.
  await frame.getByLabel('Card number').fill('378282246310005');
  await expect(frame.getByLabel('Card number')).toHaveValue('3782 822463 10005');
  await expect(frame.getByText('American Express')).toBeVisible();
  // Only the number's own network is left, and the number never runs under it.
  await expect(marks).toHaveAttribute('data-shown', 'amex');
  await expect(marks.locator('svg')).toHaveCount(1);
  const gap = await frame.getByLabel('Card number').evaluate((input) => {
    const mark = input.parentElement?.querySelector('.marks') as HTMLElement;
    return mark.getBoundingClientRect().left - input.getBoundingClientRect().left;
  });
  const textWidth = await frame.getByLabel('Card number').evaluate((input) => {
    const c = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
    c.font = getComputedStyle(input).font;
    return c.measureText((input as HTMLInputElement).value).width + 12;
  });
  expect(textWidth).toBeLessThan(gap);
});

test('3-D Secure approved inside the modal', async ({ page }) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await payCard(page, '4000 0027 6000 3184');
  const challenge = frame.frameLocator('iframe.challenge');
  await challenge.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
  await waitForResult(page, 'success');
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('3-D Secure failed returns to the form with the reason', async ({ page }) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await payCard(page, '4000 0027 6000 3184');
  await frame
    .frameLocator('iframe.challenge')
    .getByRole('button', { name: 'Fail authentication' })
    .click();
  // Said once: the reason, then the way on (the page words it, not the server).
  await expect(frame.getByTestId('decline')).toHaveText(
    /^We could not authenticate your payment with your bank\. Try again, or use another card or method\. \d+ attempts left\.$/,
  );
  expect((await serverIntent(page, pi.id)).status).toBe('requires_payment_method');
});

test('UPI: success@kassa succeeds after the app approves', async ({ page }) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await frame.getByRole('radio', { name: 'UPI' }).click();
  await frame.getByLabel('UPI ID').fill('success@kassa');
  await frame.getByRole('button', { name: /^Pay / }).click();
  // The screen says where the request went.
  await expect(
    frame.getByText('We sent a payment request to success@kassa. Approve it in your UPI app.'),
  ).toBeVisible();
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible();
  expect((await waitForResult(page, 'success')).payment_intent_id).toBe(pi.id);
});

test('UPI: failure@kassa is declined and the shopper can try again', async ({ page }) => {
  await pay(page);
  const frame = hosted(page);
  await frame.getByRole('radio', { name: 'UPI' }).click();
  await frame.getByLabel('UPI ID').fill('not-a-vpa');
  await frame.getByRole('button', { name: /^Pay / }).click();
  await expect(frame.getByText('Enter a UPI ID such as name@bank.')).toBeVisible();
  await frame.getByLabel('UPI ID').fill('failure@kassa');
  await frame.getByRole('button', { name: /^Pay / }).click();
  await expect(frame.getByText('The payment was declined in the UPI app.')).toBeVisible({
    timeout: 10_000,
  });
  await expect(frame.getByRole('button', { name: /^Pay / })).toBeEnabled();
});

test('an asynchronous card waits in processing, then succeeds through the event stream', async ({
  page,
}) => {
  const pi = await pay(page);
  const frame = hosted(page);
  await payCard(page, '4000 0000 0000 1059');
  await expect(frame.getByRole('heading', { name: 'Waiting for confirmation…' })).toBeVisible();
  expect((await serverIntent(page, pi.id)).status).toBe('processing');
  await expect(frame.getByRole('heading', { name: 'Payment successful' })).toBeVisible({
    timeout: 10_000,
  });
  await waitForResult(page, 'success');
});
