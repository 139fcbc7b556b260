import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import {
  env,
  hosted,
  openShop,
  pay,
  payCard,
  results,
  serverIntent,
  waitForResult,
} from './helpers.ts';

test.beforeEach(async ({ page }) => {
  await openShop(page);
});

test('Escape closes the modal: onClose, focus back on the opener, the intent still open', async ({
  page,
}) => {
  await page.getByRole('button', { name: 'Buy 5 chai' }).click();
  await expect(hosted(page).locator('[data-testid="amount"]')).toBeVisible();
  const dialog = page.locator('dialog.kassa');
  await expect(dialog).toHaveAttribute('open', '');
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).overflow)).toBe(
    'hidden',
  );
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(await waitForResult(page, 'close')).toEqual({ type: 'close' });
  await expect(page.getByRole('button', { name: 'Buy 5 chai' })).toBeFocused();
  expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('');
  const id = await page.evaluate(() => window.current.id);
  expect((await serverIntent(page, id)).status).toBe('requires_payment_method');
});

test("the page's close button and a click on the backdrop close it too", async ({ page }) => {
  await pay(page);
  await hosted(page).getByRole('button', { name: 'Close' }).click();
  await expect(page.locator('dialog.kassa')).toHaveCount(0);
  await pay(page);
  await page.mouse.click(5, 5);
  await expect(page.locator('dialog.kassa')).toHaveCount(0);
  expect((await results(page)).filter((r) => r.type === 'close')).toHaveLength(2);
});

test('an accessible dialog in the top layer, above the page, opened once however often asked', async ({
  page,
}) => {
  await pay(page);
  const dialog = page.locator('dialog.kassa');
  expect(await dialog.evaluate((d) => (d as HTMLDialogElement).matches(':modal'))).toBe(true);
  await expect(dialog).toHaveAttribute('aria-label', 'Payment');
  await page.evaluate(() => window.payWith({}));
  await page.evaluate(() => window.payWith({}));
  await expect(dialog).toHaveCount(1);
  // The top layer wins the z-index war: the dialog's centre is the dialog, not the sticky banner.
  const box = await dialog.boundingBox();
  const onTop = await page.evaluate(
    ([x, y]) => !!document.elementFromPoint(x, y)?.closest('dialog.kassa'),
    [(box?.x ?? 0) + (box?.width ?? 0) - 5, (box?.y ?? 0) + 5] as const,
  );
  expect(onTop).toBe(true);
});

test("the seeds' form: new PaymentGateway({ key, orderId }).open()", async ({ page }) => {
  const pi = await page.evaluate(() => window.payWithGateway({ order_id: `SEED_${Date.now()}` }));
  await payCard(page, '4242 4242 4242 4242');
  const r = await waitForResult(page, 'success');
  expect(r).toMatchObject({ order_id: pi.order_id, payment_intent_id: pi.id });
});

test('a phone-sized viewport gets a full-screen modal', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await pay(page);
  const box = await page.locator('dialog.kassa').boundingBox();
  expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 740 });
});

test('the modal follows the height of the page inside it, its top edge staying put', async ({
  page,
}) => {
  await pay(page);
  const frame = page.locator('dialog.kassa iframe');
  const inside = hosted(page).locator('div.page');
  /** The iframe's height once it has followed the page inside (it animates to it). */
  const followed = async () => {
    await expect
      .poll(async () => {
        const wanted = Math.ceil((await inside.boundingBox())?.height ?? -1);
        return Math.abs(((await frame.boundingBox())?.height ?? 0) - wanted);
      })
      .toBeLessThan(1);
    return frame.boundingBox() as Promise<{ y: number; height: number }>;
  };
  const card = await followed();
  await hosted(page).getByRole('button', { name: /^Pay / }).click(); // shows four errors
  await expect(hosted(page).getByLabel('Card number')).toHaveAttribute('aria-invalid', 'true');
  const withErrors = await followed();
  expect(withErrors.height).toBeGreaterThan(card.height);
  // Anchored at the top: what the shopper is about to press does not move under the pointer.
  expect(withErrors.y).toBe(card.y);
  await hosted(page).getByRole('radio', { name: 'UPI' }).click();
  await expect(hosted(page).getByLabel('Card number')).toBeHidden();
  const upi = await followed();
  expect(upi.height).toBeLessThan(withErrors.height);
  expect(upi.y).toBe(card.y);
});

test('a message posted to the merchant page from another origin is ignored', async ({ page }) => {
  await pay(page);
  await page.evaluate((src) => {
    // Listening after checkout.js: once this one has heard both messages, so has it.
    const heard: string[] = [];
    window.heardFromOthers = heard;
    addEventListener('message', (e) => {
      if (e.origin === new URL(src).origin) heard.push(e.data?.type);
    });
    const f = document.createElement('iframe');
    f.src = src;
    document.body.appendChild(f);
  }, `${env().other}/evil`);
  await expect
    .poll(() => page.evaluate(() => window.heardFromOthers))
    .toEqual(['success', 'close']);
  expect(await results(page)).toEqual([]);
  await expect(page.locator('dialog.kassa')).toHaveCount(1);
  await payCard(page, '4242 4242 4242 4242');
  expect((await waitForResult(page, 'success')).payment_intent_id).not.toBe('pi_fake');
});

test('the hosted page will not render in a frame of an origin the merchant does not allow', async ({
  page,
}) => {
  const pi = await page.evaluate(() => window.createIntent({}));
  await page.goto(
    `${env().other}/frame?id=${pi.id}&secret=${encodeURIComponent(pi.client_secret)}`,
  );
  // Chromium has refused the frame (its CSP frame-ancestors) and shows its error page.
  await expect
    .poll(() => page.frames().some((f) => f.url().startsWith('chrome-error://')))
    .toBe(true);
  await expect(page.frameLocator('#f').getByLabel('Card number')).toHaveCount(0);
  // The same page opened on its own (the checkout_url) works.
  await page.goto(`${env().gateway}/pay/${pi.id}#${pi.client_secret}`);
  await expect(page.getByLabel('Card number')).toBeVisible();
});

test('an axe scan of the hosted page finds no serious or critical violation', async ({ page }) => {
  const pi = await page.evaluate(() => window.createIntent({}));
  await page.goto(`${env().gateway}/pay/${pi.id}#${pi.client_secret}`);
  await page.getByRole('button', { name: /^Pay / }).click(); // with errors showing, too
  await expect(page.getByText('Enter a valid card number.')).toBeVisible();
  const scan = await new AxeBuilder({ page }).analyze();
  const bad = scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('paying with the keyboard alone works', async ({ page }) => {
  await page.getByRole('button', { name: 'Buy 5 chai' }).focus();
  await page.keyboard.press('Enter');
  const frame = hosted(page);
  await expect(frame.getByLabel('Card number')).toBeFocused();
  await page.keyboard.type('4242424242424242');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Asha Rao');
  await page.keyboard.press('Enter');
  await waitForResult(page, 'success');
});

test('Tab and Shift+Tab go round the modal and never out onto the shop', async ({ page }) => {
  await pay(page);
  const frame = hosted(page);
  await expect(frame.getByLabel('Card number')).toBeFocused();
  // Where the focus is, in the shop's page and in the payment page.
  const where = async () => {
    const top = await page.evaluate(() => document.activeElement?.tagName);
    const inner = await frame
      .locator(':focus')
      .evaluate((el) => el.id || el.getAttribute('aria-label') || el.textContent)
      .catch(() => 'nothing');
    return `${top}:${inner}`;
  };
  const forward: string[] = [];
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    forward.push(await where());
  }
  expect(forward.every((w) => w.startsWith('IFRAME:') && w !== 'IFRAME:nothing')).toBe(true);
  // Round and round: the Pay button is followed by the × at the top.
  const payAt = forward.findIndex((w) => w.includes('Pay ₹25.00'));
  expect(payAt).toBeGreaterThanOrEqual(0);
  expect(forward[payAt + 1]).toBe('IFRAME:Close');
  await expect(frame.getByLabel('Card number')).toBeVisible();
  await frame.getByRole('button', { name: 'Close' }).focus();
  await page.keyboard.press('Shift+Tab');
  await expect(frame.getByRole('button', { name: /^Pay / })).toBeFocused();
});

test('full-page checkout returns the shopper to return_url', async ({ page }) => {
  const pi = await page.evaluate(
    (u) => window.createIntent({ return_url: `${u}/?paid=1` }),
    env().merchant,
  );
  await page.goto(`${env().gateway}/pay/${pi.id}#${pi.client_secret}`);
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByLabel('Expiry (MM/YY)').fill('1234');
  await page.getByLabel('Security code').fill('123');
  await page.getByLabel('Name on card').fill('Asha Rao');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(/paid=1/);
  const url = new URL(page.url());
  expect(url.searchParams.get('payment_intent')).toBe(pi.id);
  expect(url.searchParams.get('status')).toBe('succeeded');
});

/** Keeps a screenshot of the modal as a test artifact, to be looked at (Devanagari included). */
async function keep(page: Page, testInfo: TestInfo, name: string) {
  const shot = await page.locator('dialog.kassa').screenshot();
  await testInfo.attach(name, { body: shot, contentType: 'image/png' });
}

test('Hindi and a theme colour from the options', async ({ page }, testInfo) => {
  await pay(page, {}, { locale: 'hi', theme: '#0a7d4f' });
  const frame = hosted(page);
  await expect(frame.getByLabel('कार्ड नंबर')).toBeVisible();
  await keep(page, testInfo, 'hi-card');
  const colour = await frame
    .getByRole('button', { name: /का भुगतान करें/ })
    .evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(colour).toBe('rgb(10, 125, 79)');
  // A decline in Hindi is all Hindi: the reason comes from the page, not the server.
  await frame.getByLabel('कार्ड नंबर').fill('4000 0000 0000 9995');
  await frame.getByLabel('समाप्ति (MM/YY)').fill('12 / 34');
  await frame.getByLabel('सुरक्षा कोड').fill('123');
  await frame.getByRole('button', { name: /का भुगतान करें/ }).click();
  await expect(frame.getByTestId('decline')).toContainText('आपके कार्ड में पर्याप्त राशि नहीं है।');
  await expect(frame.getByTestId('decline')).not.toHaveText(/[A-Za-z]/);
  await keep(page, testInfo, 'hi-decline');
  // UPI in Hindi: the test addresses' hint, then the request's countdown.
  await frame.getByRole('radio', { name: 'यूपीआई' }).click();
  await expect(frame.getByText('परीक्षण मोड: success@kassa')).toBeVisible();
  await frame.getByLabel('यूपीआई आईडी').fill('pending@kassa');
  await frame.getByRole('button', { name: /का भुगतान करें/ }).click();
  await expect(frame.getByTestId('countdown')).toContainText(/अनुरोध 4:\d\d में समाप्त/);
  await keep(page, testInfo, 'hi-upi');
  await frame.getByRole('button', { name: 'भुगतान का तरीका बदलें' }).click();
  await expect(frame.getByLabel('यूपीआई आईडी')).toBeVisible();
});

test('a page the browser will not frame is explained, never left on “Loading…”', async ({
  page,
}) => {
  // The merchant page on an origin the merchant did not allow: Chromium refuses the frame.
  await page.goto(env().other);
  await page.waitForFunction(() => 'Kassa' in window);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const pi = await page.evaluate(() => window.payWith({}, { readyTimeoutMs: 2000 }));
  const dialog = page.locator('dialog.kassa');
  await expect(dialog.getByRole('alert')).toContainText('could not be loaded', { timeout: 6000 });
  expect(await waitForResult(page, 'failure')).toMatchObject({
    code: 'page_load_failed',
    payment_intent_id: pi.id,
  });
  expect(errors.join('\n')).toContain(`add ${env().other} to the merchant's allowed origins`);
  // The close button has the focus; Enter closes the modal.
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);

  // In Hindi, checkout.js's own words are Hindi too.
  await page.evaluate(() => window.payWith({}, { readyTimeoutMs: 1500, locale: 'hi' }));
  await expect(dialog).toHaveAttribute('aria-label', 'भुगतान');
  await expect(dialog.getByRole('alert')).toContainText('भुगतान पेज लोड नहीं हो सका', {
    timeout: 6000,
  });
  await expect(dialog.getByRole('button', { name: 'बंद करें' })).toBeFocused();
});

test('a data-kassa button a framework renders after load opens the modal', async ({ page }) => {
  const pi = await page.evaluate(() => window.createIntent({}));
  await page.evaluate((secret) => {
    const b = document.createElement('button');
    b.textContent = 'Pay later-rendered';
    b.dataset.kassaClientSecret = secret;
    b.addEventListener('kassa:success', (e) =>
      window.results.push({ type: 'success', ...(e as CustomEvent).detail }),
    );
    document.body.appendChild(b);
  }, pi.client_secret);
  await page.getByRole('button', { name: 'Pay later-rendered' }).click();
  await expect(hosted(page).locator('[data-testid="amount"]')).toBeVisible();
  await payCard(page, '4242 4242 4242 4242');
  expect((await waitForResult(page, 'success')).payment_intent_id).toBe(pi.id);
});
