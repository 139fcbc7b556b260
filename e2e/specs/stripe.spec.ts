import { expect, type Page, test } from '@playwright/test';
import { env, hosted, openShop, waitForResult } from './helpers.ts';

/** What the merchant test page and the fake Stripe.js put on `window`. */
interface TestWindow {
  payWithStripe(intent: unknown, open: unknown): Promise<unknown>;
  __fakeStripe: {
    keys: string[];
    elements: { clientSecret: string; locale?: string; appearance?: unknown }[];
    returnUrls: (string | undefined)[];
  };
  handle: { close(): void };
  Kassa: { open(o: unknown): { close(): void } };
  results: unknown[];
}

// One fake Stripe serves the file; holding its webhooks must not touch another test.
test.describe.configure({ mode: 'serial' });

const merchant = () => env().merchant;

/**
 * Stripe.js and Stripe's API, faked on loopback: the page's real `loadStripe` fetches
 * https://js.stripe.com/…/stripe.js (our fake), which talks to https://api.stripe.com (the
 * fake Stripe API). The page's CSP still allows only Stripe's own sources.
 */
async function fakeStripe(page: Page) {
  const context = page.context();
  await context.route('https://js.stripe.com/**', async (route) => {
    const res = await route.fetch({ url: `${merchant()}/fake-stripe.js` });
    await route.fulfill({ response: res });
  });
  await context.route('https://api.stripe.com/**', async (route) => {
    const url = route
      .request()
      .url()
      .replace('https://api.stripe.com', process.env.E2E_FAKE_STRIPE_URL as string);
    const res = await route.fetch({ url });
    await route.fulfill({ response: res });
  });
  // Everything the browser sends to the gateway, to show no card number goes there.
  const toGateway: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(env().gateway)) toGateway.push(`${r.url()} ${r.postData() ?? ''}`);
  });
  return toGateway;
}

async function openStripe(
  page: Page,
  open: Record<string, unknown> = {},
  intent: Record<string, unknown> = {},
) {
  await openShop(page);
  const pi = (await page.evaluate(
    ([i, o]) => (window as unknown as TestWindow).payWithStripe(i, o),
    [intent, open] as const,
  )) as {
    id: string;
    client_secret: string;
  };
  await expect(hosted(page).getByTestId('stripe-card-number')).toBeVisible();
  return pi;
}

async function payInStripeFields(page: Page, number: string) {
  const frame = hosted(page);
  await frame.getByTestId('stripe-card-number').fill(number);
  await frame.getByRole('button', { name: /^Pay / }).click();
}

const serverIntent = async (page: Page, id: string) =>
  (await (await page.request.get(`${merchant()}/api/stripe-intents/${id}`)).json()) as {
    status: string;
    amount_received: number;
  };

const atStripe = async (page: Page, reference: string) =>
  (await (
    await page.request.get(`${merchant()}/fake-stripe/payment_intents/${reference}`)
  ).json()) as {
    payment_intent: { status: string; metadata: Record<string, string> } | null;
    refunds: { amount: number }[];
  };

const fakeControl = (page: Page, action: string, data: Record<string, string> = {}) =>
  page.request.post(`${merchant()}/fake-stripe/${action}`, { data });

const stripeReference = (page: Page) =>
  hosted(page)
    .locator('body')
    .evaluate(
      () =>
        (window as unknown as TestWindow).__fakeStripe.elements
          .at(-1)
          ?.clientSecret.split('_secret_')[0] ?? '',
    );

test('pays in Stripe’s fields; the card goes to Stripe, never to Kassa', async ({ page }) => {
  const toGateway = await fakeStripe(page);
  const pi = await openStripe(page, { theme: '#0f766e', locale: 'hi' });
  // The shop's colour and language reach Stripe's Element.
  const seen = await hosted(page)
    .locator('body')
    .evaluate(() => (window as unknown as TestWindow).__fakeStripe);
  expect(seen.keys).toEqual(['pk_test_e2e']);
  // Stripe.js has no Hindi: the page asks Stripe to choose (`auto`), it never passes `hi`.
  expect(seen.elements[0]).toMatchObject({
    locale: 'auto',
    appearance: { variables: { colorPrimary: '#0f766e' } },
  });
  // Stripe's Visa debit test card: no other spec types it anywhere, so finding it in
  // what the gateway received could only come from this payment.
  await hosted(page).getByTestId('stripe-card-number').fill('4000 0566 5566 5556');
  await hosted(page).locator('button.pay').click();
  const ok = await waitForResult(page, 'success');
  expect(ok).toMatchObject({ payment_intent_id: pi.id, status: 'succeeded' });
  // Stripe's return_url is this page without Kassa's client secret.
  const returnUrls = await hosted(page)
    .locator('body')
    .evaluate(() => (window as unknown as TestWindow).__fakeStripe.returnUrls);
  expect(returnUrls).toHaveLength(1);
  const back = new URL(returnUrls[0] as string);
  expect(back.pathname).toBe(`/pay/${pi.id}`);
  expect(back.hash).toBe('');
  expect(returnUrls[0]).not.toContain(pi.client_secret);
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
  const reference = await stripeReference(page);
  expect(await atStripe(page, reference)).toMatchObject({
    payment_intent: { status: 'succeeded', metadata: { kassa_payment_intent: pi.id } },
  });
  // Not in any request the browser made to the gateway, nor in anything the gateway received.
  expect(toGateway.length).toBeGreaterThan(0);
  for (const needle of ['4000056655665556', '4000 0566 5566 5556']) {
    expect(toGateway.join('\n')).not.toContain(needle);
    const saw = await (
      await page.request.get(`${merchant()}/gateway-saw?needle=${encodeURIComponent(needle)}`)
    ).json();
    expect(saw.seen, needle).toBe(false);
  }
  // The check itself can fail: a number the gateway did receive is found.
  const control = await (
    await page.request.get(`${merchant()}/gateway-saw?needle=${encodeURIComponent(pi.id)}`)
  ).json();
  expect(control.seen).toBe(true);
});

test('a decline is explained, and a new card in fresh fields pays', async ({ page }) => {
  await fakeStripe(page);
  const pi = await openStripe(page);
  await payInStripeFields(page, '4000000000009995');
  await expect(hosted(page).getByTestId('decline')).toContainText('insufficient funds');
  // Fresh fields for a new Stripe payment: type the next card there.
  await expect(hosted(page).getByTestId('stripe-card-number')).toHaveValue('');
  await payInStripeFields(page, '4242424242424242');
  await waitForResult(page, 'success');
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('Stripe’s card form that fails to load says so and loads again on request', async ({
  page,
}) => {
  await fakeStripe(page);
  await page.context().addInitScript(() => {
    (window as unknown as { __fakeStripeLoadErrors: number }).__fakeStripeLoadErrors = 1;
  });
  await openShop(page);
  await page.evaluate(() => (window as unknown as TestWindow).payWithStripe({}, {}));
  const retry = hosted(page).getByRole('button', { name: 'Load the card form again' });
  await expect(retry).toBeVisible();
  await expect(hosted(page).getByText('The card form could not load')).toBeVisible();
  await retry.click();
  await expect(hosted(page).getByTestId('stripe-card-number')).toBeVisible();
  await payInStripeFields(page, '4242424242424242');
  await waitForResult(page, 'success');
});

test('Stripe down when the card form opens: one plain message, and it opens again on request', async ({
  page,
}) => {
  await fakeStripe(page);
  // Every try the gateway makes (stripe-node retries too) answers 500.
  await fakeControl(page, 'fault', { path: '/v1/payment_intents', method: 'POST', times: '20' });
  try {
    await openShop(page);
    await page.evaluate(() => (window as unknown as TestWindow).payWithStripe({}, {}));
    const failed = hosted(page).getByTestId('fields-failed');
    await expect(failed).toHaveText(
      /We could not reach the card processor\. Nothing was charged; try again in a moment\./,
    );
    // One message, not a second generic one beside it.
    await expect(hosted(page).getByRole('alert')).toHaveCount(1);
    await fakeControl(page, 'clear');
    await failed.getByRole('button', { name: 'Load the card form again' }).click();
    await expect(hosted(page).getByTestId('stripe-card-number')).toBeVisible();
    await payInStripeFields(page, '4242424242424242');
    await waitForResult(page, 'success');
  } finally {
    await fakeControl(page, 'clear');
  }
});

test('3-D Secure happens in Stripe’s flow inside the modal', async ({ page }) => {
  await fakeStripe(page);
  const pi = await openStripe(page);
  await payInStripeFields(page, '4000002760003184');
  await hosted(page).getByRole('button', { name: 'Complete authentication' }).click();
  await waitForResult(page, 'success');
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('Stripe’s webhook before the browser’s confirm and again after it: one success', async ({
  page,
}) => {
  await fakeStripe(page);
  const pi = await openStripe(page);
  // Hold the page's "record it" call until Stripe's webhook has been applied.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  await page.context().route('**/processor_session/complete', async (route) => {
    await held;
    await route.continue();
  });
  await payInStripeFields(page, '4242424242424242');
  await expect.poll(async () => (await serverIntent(page, pi.id)).status).toBe('succeeded');
  release();
  await waitForResult(page, 'success');
  // Stripe's webhook came first and the browser's call after it: one success, no going back.
  const events = await (
    await page.request.get(`${merchant()}/api/stripe-intents/${pi.id}/events`)
  ).json();
  expect(events.filter((t: string) => t === 'payment_intent.succeeded')).toHaveLength(1);
  expect(events).not.toContain('payment_intent.payment_failed');
  expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
});

test('closed mid-payment and reopened: the page finds the payment Stripe took', async ({
  page,
}) => {
  await fakeStripe(page);
  await fakeControl(page, 'hold');
  try {
    const pi = await openStripe(page);
    // The page's "record it" call is lost, and Stripe's webhook is late.
    await page.context().route('**/processor_session/complete', (route) => route.abort());
    await payInStripeFields(page, '4242424242424242');
    await expect(hosted(page).getByRole('alert')).toBeVisible();
    await page.context().unroute('**/processor_session/complete');
    await page.evaluate(() => (window as unknown as TestWindow).handle.close());
    expect((await serverIntent(page, pi.id)).status).toBe('requires_payment_method');
    await page.evaluate((secret) => {
      (window as unknown as TestWindow).handle = (window as unknown as TestWindow).Kassa.open({
        clientSecret: secret,
        onSuccess: (r: unknown) =>
          (window as unknown as TestWindow).results.push({ type: 'success', ...(r as object) }),
      });
    }, pi.client_secret);
    await waitForResult(page, 'success');
    expect((await serverIntent(page, pi.id)).status).toBe('succeeded');
  } finally {
    await fakeControl(page, 'release');
  }
});

test('a refund retried after a lost answer refunds once at Stripe', async ({ page }) => {
  await fakeStripe(page);
  const pi = await openStripe(page);
  await payInStripeFields(page, '4242424242424242');
  await waitForResult(page, 'success');
  const reference = await stripeReference(page);
  await fakeControl(page, 'drop', { path: '/v1/refunds' });
  const refund = await (
    await page.request.post(`${merchant()}/api/stripe-refunds`, {
      data: { payment_intent: pi.id, amount: 1000 },
    })
  ).json();
  expect(refund.status).toMatch(/pending|succeeded/);
  await expect.poll(async () => (await atStripe(page, reference)).refunds.length).toBe(1);
  await expect
    .poll(async () => (await serverIntent(page, pi.id)) as unknown as { amount_refunded: number })
    .toMatchObject({ amount_refunded: 1000 });
  expect((await atStripe(page, reference)).refunds).toHaveLength(1);
});

test('a live-mode merchant with Stripe connected takes a live payment in the modal', async ({
  page,
}) => {
  await fakeStripe(page);
  const pi = await openStripe(page, {}, { live: true });
  // No "test mode" badge on a live payment, and Stripe gets the live publishable key.
  await expect(hosted(page).getByText('Test mode')).toHaveCount(0);
  const seen = await hosted(page)
    .locator('body')
    .evaluate(() => (window as unknown as TestWindow).__fakeStripe);
  expect(seen.keys).toEqual(['pk_live_e2e']);
  await payInStripeFields(page, '4242424242424242');
  await waitForResult(page, 'success');
  const live = await (
    await page.request.get(`${merchant()}/api/stripe-intents/${pi.id}?live=1`)
  ).json();
  expect(live).toMatchObject({ livemode: true, status: 'succeeded' });
});
